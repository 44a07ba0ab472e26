import type { ApiResponse } from "./types.js";

/**
 * Security headers on every answer of both runtimes (the AWS api function and `riposte serve`),
 * pages and API alike; each kind adds its own content security policy.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

/** A JSON answer loads nothing and may be framed by no one (the dashboard's pages have their own). */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

/** Headers on every API answer, the same on AWS and locally. */
export const API_HEADERS: Readonly<Record<string, string>> = {
  "cache-control": "no-store",
  ...SECURITY_HEADERS,
  "content-security-policy": API_CONTENT_SECURITY_POLICY,
};

export function json(status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...API_HEADERS, ...headers },
    body: JSON.stringify(body),
  };
}

export function text(
  status: number,
  body: string,
  contentType: string,
  headers: Record<string, string> = {},
): ApiResponse {
  return { status, headers: { "content-type": contentType, ...API_HEADERS, ...headers }, body };
}
