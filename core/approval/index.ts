/** Human in the loop: approval requests, decisions from Slack or the dashboard, Slack signatures. */
export { type DecideApprovalArgs, DecideApprovalArgsSchema, decideApproval } from "./decide.js";
export { expireApprovals } from "./expire.js";
export {
  parseSlackFollowUp,
  runSlackFollowUp,
  type SlackFollowUp,
  SlackFollowUpFailed,
  type SlackFollowUps,
} from "./follow-up.js";
export { newApprovalId, type RequestApprovalInput, requestApproval } from "./request.js";
export { InvalidSlackSignature, MAX_SKEW_SECONDS, signSlackRequest, verifySlackSignature } from "./signature.js";
