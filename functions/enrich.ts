import { enrichIncident } from "../core/enrich/enrich.js";
import { EnrichInputSchema, EnrichOutputSchema } from "../core/model/tasks.js";
import { lambdaTask } from "./lib/lambda.js";
import { defineTask } from "./lib/task.js";

/** Enrich: context for the source address, the principal and the resource; never fails on a lookup. */
export const enrichTask = defineTask({
  name: "enrich",
  input: EnrichInputSchema,
  output: EnrichOutputSchema,
  async run({ incident }, deps) {
    return { enrichment: await enrichIncident(incident, deps) };
  },
});

/** The Lambda entry point on AWS. */
export const handler = lambdaTask(enrichTask);
