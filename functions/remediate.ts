import { RemediateInputSchema, RemediateOutputSchema } from "../core/model/tasks.js";
import { remediate } from "../core/remediation/remediate.js";
import { lambdaTask } from "./lib/lambda.js";
import { defineTask } from "./lib/task.js";

/**
 * Remediate: moves the incident to PROCESSING, then applies the plan — or, in dry-run, records the
 * exact calls without sending them. Guardrails, the circuit breaker and the snapshots live in
 * `core/remediation/`.
 */
export const remediateTask = defineTask({
  name: "remediate",
  input: RemediateInputSchema,
  output: RemediateOutputSchema,
  run: (input, deps) => remediate(input, deps),
});

/** The Lambda entry point on AWS. */
export const handler = lambdaTask(remediateTask);
