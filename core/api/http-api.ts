import type { ApiRequest, ApiResponse } from "./types.js";

/**
 * API Gateway HTTP API (payload format 2.0) ⇄ `ApiRequest`/`ApiResponse`. Header names arrive in
 * lower case; duplicate headers and query parameters are comma-joined by API Gateway; binary or
 * compressed bodies arrive base64-encoded.
 */
export interface HttpApiEvent {
  version?: string;
  rawPath?: string;
  rawQueryString?: string;
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext?: { http?: { method?: string }; stage?: string };
}

export interface HttpApiResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: false;
}

/** The path without a named stage's prefix (`$default` has none). */
function pathOf(event: HttpApiEvent): string {
  const path = event.rawPath || "/";
  const stage = event.requestContext?.stage;
  if (stage && stage !== "$default" && (path === `/${stage}` || path.startsWith(`/${stage}/`))) {
    return path.slice(stage.length + 1) || "/";
  }
  return path;
}

export function fromHttpApiEvent(event: HttpApiEvent): ApiRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  const body =
    event.body === undefined
      ? undefined
      : new Uint8Array(Buffer.from(event.body, event.isBase64Encoded ? "base64" : "utf8"));
  return {
    method: (event.requestContext?.http?.method ?? "GET").toUpperCase(),
    path: pathOf(event),
    query: new URLSearchParams(event.rawQueryString ?? ""),
    headers,
    scheme: "https",
    ...(body ? { body } : {}),
  };
}

export function toHttpApiResult(response: ApiResponse): HttpApiResult {
  return { statusCode: response.status, headers: response.headers, body: response.body, isBase64Encoded: false };
}
