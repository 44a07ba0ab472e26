import { NotifyInputSchema, NotifyOutputSchema } from "../core/model/tasks.js";
import { notifyIncident } from "../core/notify/notify.js";
import { lambdaTask } from "./lib/lambda.js";
import { defineTask } from "./lib/task.js";

/** Notify: the incident's Slack message (posted once, updated in place) and SNS; never blocks the flow. */
export const notifyTask = defineTask({
  name: "notify",
  input: NotifyInputSchema,
  output: NotifyOutputSchema,
  run: (input, deps) => notifyIncident(input, deps),
});

/** The Lambda entry point on AWS. */
export const handler = lambdaTask(notifyTask);
