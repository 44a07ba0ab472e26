import { askActor } from "../core/confirm/ask.js";
import { ConfirmInputSchema, ConfirmOutputSchema } from "../core/model/tasks.js";
import { lambdaTask } from "./lib/lambda.js";
import { defineTask } from "./lib/task.js";

/**
 * "Was this you?" (`.waitForTaskToken`): DM the actor mapped from the principal, token kept
 * under a confirmation id. The workflow resumes when the actor answers or the task times out.
 */
export const confirmTask = defineTask({
  name: "confirm",
  input: ConfirmInputSchema,
  output: ConfirmOutputSchema,
  run: (input, deps) => askActor(input, deps),
});

/** The Lambda entry point on AWS. */
export const handler = lambdaTask(confirmTask);
