import { TransientError } from "../../errors.js";

/**
 * Reading AWS SDK v3 errors: the error code, and whether a failure is worth retrying
 * (throttling, 5xx, dropped connections). Everything else is the caller's to interpret.
 */

/** Codes AWS services use for throttling (EC2, IAM, S3, CloudTrail, WAF, STS). */
const THROTTLING_CODES = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "SlowDown",
  "EC2ThrottledException",
  "BandwidthLimitExceeded",
  "PriorRequestNotComplete",
  "TransactionInProgressException",
]);

/** Transport failures (no AWS answer at all) that a retry may get past. */
const NETWORK_CODES = new Set([
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
]);

interface SdkErrorLike {
  name?: unknown;
  Code?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** The AWS error code of an SDK error (`InvalidGroup.NotFound`, `NoSuchBucket`…). */
export function errorCode(error: unknown): string | undefined {
  if (error instanceof AwsCallError) return error.code;
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as SdkErrorLike;
  for (const candidate of [e.Code, e.name, e.code]) {
    if (typeof candidate === "string" && candidate !== "Error") return candidate;
  }
  return undefined;
}

/** Whether `error` carries one of `codes`. */
export function hasCode(error: unknown, codes: readonly string[] | undefined): boolean {
  const code = errorCode(error);
  return code !== undefined && (codes ?? []).includes(code);
}

export function isThrottling(error: unknown): boolean {
  const code = errorCode(error);
  return (code !== undefined && THROTTLING_CODES.has(code)) || httpStatus(error) === 429;
}

function httpStatus(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  return (error as SdkErrorLike).$metadata?.httpStatusCode;
}

/** Throttling, a server-side fault (5xx) or a dropped connection: worth retrying with backoff. */
export function isTransient(error: unknown): boolean {
  if (error instanceof TransientError) return true;
  if (isThrottling(error)) return true;
  const status = httpStatus(error);
  if (status !== undefined && status >= 500) return true;
  const code = errorCode(error);
  return code !== undefined && NETWORK_CODES.has(code);
}

/** An AWS call failed for a reason retrying will not fix; names the call and AWS's code. */
export class AwsCallError extends Error {
  override readonly name = "AwsCallError";
  constructor(
    readonly call: string,
    readonly code: string | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${call} failed: ${code ?? "error"}: ${message}`, options);
  }
}

/** The message of any thrown value. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null && typeof (error as SdkErrorLike).message === "string") {
    return (error as { message: string }).message;
  }
  return String(error);
}
