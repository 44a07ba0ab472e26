/** Time-boxed exceptions: created by approvers, matched when an incident opens, announced when they expire. */

export { exceptionsApi } from "./api.js";
export {
  createException,
  type ExceptionCreator,
  type ExceptionRequest,
  ExceptionRequestSchema,
  exceptionFromSlack,
  SLACK_CHOICES,
  type SlackChoice,
} from "./create.js";
export { declaredExceptionId, declaredExceptions } from "./declared.js";
export { announceExpiredExceptions, expiryNotice } from "./expire.js";
export { listAllExceptions } from "./list.js";
export { coveringException, scopeMatches, suppressionOf } from "./match.js";
