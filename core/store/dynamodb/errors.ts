import { TransientError } from "../../errors.js";

/** DynamoDB errors worth retrying later (after the SDK's own retries gave up). */
const TRANSIENT = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "InternalServerError",
  "ServiceUnavailable",
  "LimitExceededException",
  "TimeoutError",
]);

export function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === "ConditionalCheckFailedException";
}

/** Rethrow throttling and 5xx as `TransientError` (workflows retry on that name); others as they are. */
export function asStoreError(error: unknown): unknown {
  const failure = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = failure?.$metadata?.httpStatusCode ?? 0;
  if (TRANSIENT.has(failure?.name ?? "") || status >= 500) {
    return new TransientError(`DynamoDB ${failure?.name ?? "error"}: ${failure?.message ?? ""}`, { cause: error });
  }
  return error;
}
