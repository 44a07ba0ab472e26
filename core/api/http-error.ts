import type { ApiError } from "../model/api.js";

/** An error with an HTTP status and a message safe to show the caller. */
export class HttpError extends Error {
  override readonly name = "HttpError";
  constructor(
    readonly status: number,
    message: string,
    readonly issues?: string[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  get body(): ApiError {
    return this.issues?.length ? { error: this.message, issues: this.issues } : { error: this.message };
  }
}

/** Domain error names and the status each maps to; their messages are written for callers. */
const STATUS_BY_NAME: Record<string, number> = {
  InvalidInput: 400,
  NotAnApprover: 403,
  NotFound: 404,
  ApprovalAlreadyDecided: 409,
  TransientError: 503,
  Throttled: 503,
};

/** The HTTP form of an error, or undefined for an unexpected one (a 500, logged, never shown). */
export function httpErrorOf(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  const name = (error as { name?: unknown } | undefined)?.name;
  const status = typeof name === "string" ? STATUS_BY_NAME[name] : undefined;
  if (!status) return undefined;
  const headers: Record<string, string> = status === 503 ? { "retry-after": "1" } : {};
  return new HttpError(status, (error as Error).message, undefined, headers);
}
