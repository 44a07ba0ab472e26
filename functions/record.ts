import { recordStatus } from "../core/incidents/record.js";
import { RecordInputSchema, RecordOutputSchema } from "../core/model/tasks.js";
import { defineTask } from "./lib/task.js";

/** Record: the incident's final (or failure) status with its reason, never regressing. */
export const recordTask = defineTask({
  name: "record",
  input: RecordInputSchema,
  output: RecordOutputSchema,
  run: (input, deps) => recordStatus(input, deps),
});
