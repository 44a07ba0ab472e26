import type { ApiResponse } from "./types.js";

/** Headers on every API answer (the local server adds its page headers on top). */
export const API_HEADERS: Record<string, string> = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
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
