import { VerifyInputSchema, VerifyOutputSchema } from "../core/model/tasks.js";
import { verifyRemediation } from "../core/remediation/verify.js";
import { lambdaTask } from "./lib/lambda.js";
import { defineTask } from "./lib/task.js";

/** Verify: reads every remediated target again and proves the risk is gone (`verified: false` otherwise). */
export const verifyTask = defineTask({
  name: "verify",
  input: VerifyInputSchema,
  output: VerifyOutputSchema,
  run: (input, deps) => verifyRemediation(input, deps),
});

/** The Lambda entry point on AWS. */
export const handler = lambdaTask(verifyTask);
