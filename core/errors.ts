/**
 * Domain errors. Each `name` is a stable code: Step Functions Retry/Catch match on it (the Lambda
 * runtime reports it as `errorType`), and so does the local interpreter.
 */

abstract class RiposteError extends Error {
  abstract override readonly name: string;
}

/** Bad input: names the input and the problem. Never retried. */
export class InvalidInput extends RiposteError {
  override readonly name = "InvalidInput";
}

/** A guardrail forbids the action (protected resource or principal, loop prevention, breaker). */
export class RemediationNotAllowed extends RiposteError {
  override readonly name = "RemediationNotAllowed";
}

/** The target no longer exists ("already gone" is success for remediation). */
export class ResourceGone extends RiposteError {
  override readonly name = "ResourceGone";
}

/** Remediation ran but the risk is still there. */
export class VerificationFailed extends RiposteError {
  override readonly name = "VerificationFailed";
}

/** A passing fault (throttling, 5xx, timeouts) worth retrying with backoff. */
export class TransientError extends RiposteError {
  override readonly name: string = "TransientError";
}

/**
 * AWS kept throttling a call after the client's own retries: a transient fault, but one that may
 * last minutes (an account-wide API rate), so the workflows retry it far longer than others.
 */
export class Throttled extends TransientError {
  override readonly name: string = "Throttled";
}

/** The named incident, approval or execution does not exist. */
export class NotFound extends RiposteError {
  override readonly name = "NotFound";
}

/** The approval was already decided (approvals are single use). */
export class ApprovalAlreadyDecided extends RiposteError {
  override readonly name = "ApprovalAlreadyDecided";
}

/** "Was this you?": the incident's principal maps to no Slack user (or Slack is off); nobody is asked. */
export class NoActorToAsk extends RiposteError {
  override readonly name = "NoActorToAsk";
}

/** A "was this you?" click by someone other than the actor who was asked. */
export class NotTheActor extends RiposteError {
  override readonly name = "NotTheActor";
}

/** The caller may not approve or reject. */
export class NotAnApprover extends RiposteError {
  override readonly name = "NotAnApprover";
}

/** Error names the workflows retry on, besides the Lambda service's own. */
export const TRANSIENT_ERROR_NAMES = ["TransientError"] as const;

/** Error names the workflows retry on for minutes (throttling), besides Lambda's own. */
export const THROTTLING_ERROR_NAMES = ["Throttled"] as const;
