import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { Api } from "../../core/api/index.js";
import { json } from "../../core/api/respond.js";
import type { ApiRequest, ApiResponse } from "../../core/api/types.js";
import type { Logger } from "../../core/log.js";

/** Read a request body, giving up as soon as it passes `limit` bytes. */
async function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array | "too-large"> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return "too-large";
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > limit) return "too-large";
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

function headersOf(req: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

/** Refused requests (bad token, foreign origin) at warn, with the caller's address; the rest at debug. */
function logRequest(
  logger: Logger,
  req: IncomingMessage,
  method: string,
  path: string,
  status: number,
  started: number,
) {
  const fields = {
    method,
    path,
    status,
    ms: Math.round(performance.now() - started),
    remote: req.socket.remoteAddress,
  };
  if (status === 401 || status === 403) logger.warn("api request refused", fields);
  else logger.debug("api request", fields);
}

function send(res: ServerResponse, response: ApiResponse): void {
  res.writeHead(response.status, { ...response.headers, "content-length": Buffer.byteLength(response.body) });
  res.end(response.body);
}

/**
 * Serve one node:http request through the API. An oversized body is refused with 413 without
 * reading the rest of it, and the connection is closed so the unread bytes go nowhere.
 */
export async function serveApi(
  api: Api,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  logger: Logger,
): Promise<void> {
  const started = performance.now();
  const method = (req.method ?? "GET").toUpperCase();
  res.once("finish", () => logRequest(logger, req, method, url.pathname, res.statusCode, started));
  const limit = api.bodyLimit(method, url.pathname);
  const hasBody = method !== "GET" && method !== "HEAD" && method !== "OPTIONS";
  const body = hasBody ? await readBody(req, limit) : undefined;
  if (body === "too-large") {
    res.setHeader("connection", "close");
    send(res, json(413, { error: `request body is larger than ${limit} bytes` }));
    res.once("finish", () => req.socket.destroySoon());
    return;
  }
  const request: ApiRequest = {
    method,
    path: url.pathname,
    query: url.searchParams,
    headers: headersOf(req),
    scheme: "http",
    ...(body ? { body } : {}),
  };
  send(res, await api.handle(request));
}
