import { gunzipSync } from "node:zlib";
import { HttpError } from "./http-error.js";
import type { ApiRequest } from "./types.js";

/** Bytes of a body, refusing more than `limit` (413 names the limit). */
export function checkSize(size: number, limit: number): void {
  if (size > limit) throw new HttpError(413, `request body is larger than ${limit} bytes`);
}

/** The body as text: gzip-decoded when `content-encoding: gzip`, within `limit` bytes decoded. */
export function bodyText(request: ApiRequest, limit: number): string {
  const raw = request.body ?? new Uint8Array();
  checkSize(raw.byteLength, limit);
  const encoding = (request.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  if (encoding === "identity" || encoding === "") return Buffer.from(raw).toString("utf8");
  if (encoding !== "gzip") throw new HttpError(415, `content-encoding ${encoding} is not supported (use gzip)`);
  try {
    return gunzipSync(raw, { maxOutputLength: limit }).toString("utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") checkSize(limit + 1, limit);
    throw new HttpError(400, "request body is not valid gzip");
  }
}

/** The body parsed as JSON; the content type must be JSON. */
export function jsonBody(request: ApiRequest, limit: number): unknown {
  const type = (request.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json" && !type.endsWith("+json")) {
    throw new HttpError(415, "content-type must be application/json");
  }
  const text = bodyText(request, limit);
  if (text.trim() === "") throw new HttpError(400, "request body is empty: expected JSON");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `request body is not valid JSON: ${(error as Error).message.slice(0, 200)}`);
  }
}
