import { ScoreInputSchema, ScoreOutputSchema } from "../core/model/tasks.js";
import { triageIncident } from "../core/score/triage.js";
import { lambdaTask } from "./lib/lambda.js";
import { defineTask } from "./lib/task.js";

/** Score: risk score with its factors, the route it takes, and the move to TRIAGED. */
export const scoreTask = defineTask({
  name: "score",
  input: ScoreInputSchema,
  output: ScoreOutputSchema,
  run: ({ incident, enrichment }, deps) => triageIncident(incident, enrichment, deps),
});

/** The Lambda entry point on AWS. */
export const handler = lambdaTask(scoreTask);
