import { Throttled, TransientError } from "../../errors.js";

/** DynamoDB's throttling errors: capacity or account limits that may last minutes. */
const THROTTLING = new Set(["ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"]);

/** DynamoDB errors worth retrying later (after the SDK's own retries gave up). */
const TRANSIENT = new Set([
  ...THROTTLING,
  "InternalServerError",
  "ServiceUnavailable",
  "LimitExceededException",
  "TimeoutError",
]);

export function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === "ConditionalCheckFailedException";
}

/**
 * Rethrow throttling as `Throttled` and 5xx as `TransientError` (workflows retry on those names,
 * throttling for minutes); others as they are.
 */
export function asStoreError(error: unknown): unknown {
  const failure = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = failure?.$metadata?.httpStatusCode ?? 0;
  if (TRANSIENT.has(failure?.name ?? "") || status >= 500) {
    const Failure = THROTTLING.has(failure?.name ?? "") ? Throttled : TransientError;
    return new Failure(`DynamoDB ${failure?.name ?? "error"}: ${failure?.message ?? ""}`, { cause: error });
  }
  return error;
}
