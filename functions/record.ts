import { recordStatus } from "../core/incidents/record.js";
import { RecordInputSchema, RecordOutputSchema } from "../core/model/tasks.js";
import { lambdaTask } from "./lib/lambda.js";
import { defineTask } from "./lib/task.js";

/** Record: the incident's final (or failure) status with its reason, never regressing. */
export const recordTask = defineTask({
  name: "record",
  input: RecordInputSchema,
  output: RecordOutputSchema,
  run: (input, deps) => recordStatus(input, deps),
});

/** The Lambda entry point on AWS. */
export const handler = lambdaTask(recordTask);
