import { requestApproval } from "../core/approval/request.js";
import { RequestApprovalInputSchema, RequestApprovalOutputSchema } from "../core/model/tasks.js";
import { lambdaTask } from "./lib/lambda.js";
import { defineTask } from "./lib/task.js";

/**
 * Request approval (`.waitForTaskToken`): store the token under an approval id, show the
 * buttons, move to AWAITING_APPROVAL. The workflow resumes when someone decides.
 */
export const approvalTask = defineTask({
  name: "approval",
  input: RequestApprovalInputSchema,
  output: RequestApprovalOutputSchema,
  run: (input, deps) => requestApproval(input, deps),
});

/** The Lambda entry point on AWS. */
export const handler = lambdaTask(approvalTask);
