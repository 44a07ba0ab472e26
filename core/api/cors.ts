import { HttpError } from "./http-error.js";
import type { ApiRequest } from "./types.js";

/**
 * Strict CORS: a browser request is served only from the API's own origin or an origin listed
 * exactly in `allowedOrigins` (never a wildcard). A refused origin gets 403 and no CORS headers.
 */

const ALLOWED_METHODS = "GET, POST, OPTIONS";
const ALLOWED_HEADERS = "authorization, content-type, content-encoding";

/** Normalize `scheme://host[:port]` (lower case, default ports dropped); undefined if not an origin. */
export function normalizeOrigin(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

export interface CorsDecision {
  /** Headers to add to the response (empty for same-origin and non-browser requests). */
  headers: Record<string, string>;
  /** The preflight answer, when the request is one. */
  preflight?: { status: number; headers: Record<string, string> };
}

/** Decide a request's CORS fate; throws `HttpError(403)` for an origin that is not allowed. */
export function checkCors(request: ApiRequest, allowedOrigins: ReadonlySet<string>): CorsDecision {
  const origin = request.headers.origin;
  const isPreflight = request.method === "OPTIONS";
  if (origin === undefined) {
    return isPreflight ? { headers: {}, preflight: { status: 204, headers: {} } } : { headers: {} };
  }
  const normalized = normalizeOrigin(origin);
  const own = request.headers.host ? normalizeOrigin(`${request.scheme}://${request.headers.host}`) : undefined;
  if (normalized && normalized === own && !isPreflight) return { headers: {} };
  if (!normalized || (!allowedOrigins.has(normalized) && normalized !== own)) {
    throw new HttpError(403, "origin not allowed", undefined, { vary: "Origin" });
  }
  const headers = { "access-control-allow-origin": normalized, vary: "Origin" };
  if (!isPreflight) return { headers };
  return {
    headers,
    preflight: {
      status: 204,
      headers: {
        ...headers,
        "access-control-allow-methods": ALLOWED_METHODS,
        "access-control-allow-headers": ALLOWED_HEADERS,
        "access-control-max-age": "600",
      },
    },
  };
}
