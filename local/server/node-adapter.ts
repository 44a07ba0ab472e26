import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { Api } from "../../core/api/index.js";
import { json } from "../../core/api/respond.js";
import type { ApiRequest, ApiResponse } from "../../core/api/types.js";
import type { Logger } from "../../core/log.js";

type BodyOutcome = Uint8Array | "too-large" | "aborted";

/**
 * Read a request body, giving up as soon as it passes `limit` bytes. Listeners rather than
 * `for await`: leaving that loop early destroys the request and with it the socket, so the 413
 * would never reach the client. Past the limit the rest is read and dropped until the socket closes.
 */
function readBody(req: IncomingMessage, limit: number): Promise<BodyOutcome> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve("too-large");
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (outcome: BodyOutcome) => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("aborted", onAborted);
      req.off("error", onAborted);
      // Keep draining (and dropping) so the socket stays readable while the answer is written.
      req.on("data", () => {});
      req.on("error", () => {});
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) return finish("too-large");
      chunks.push(chunk);
    };
    const onEnd = () => finish(Buffer.concat(chunks, size));
    const onAborted = () => finish("aborted");
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("aborted", onAborted);
    req.once("error", onAborted);
  });
}

function headersOf(req: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

/** Refused requests (bad token, foreign origin, throttled) at warn, with the caller's address; the rest at debug. */
function logRequest(
  logger: Logger,
  fields: { method: string; path: string; remote?: string },
  status: number,
  started: number,
) {
  const line = { ...fields, status, ms: Math.round(performance.now() - started) };
  if (status === 401 || status === 403 || status === 429) logger.warn("api request refused", line);
  else logger.debug("api request", line);
}

function send(res: ServerResponse, response: ApiResponse): void {
  res.writeHead(response.status, { ...response.headers, "content-length": Buffer.byteLength(response.body) });
  res.end(response.body);
}

/**
 * Serve one node:http request through the API. An oversized body is refused with 413 without
 * keeping the rest of it, and the connection is closed so the unread bytes go nowhere.
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
  // Read now: once the socket is gone, `req.socket` is null.
  const remote = req.socket?.remoteAddress;
  const fields = { method, path: url.pathname, remote };
  res.once("finish", () => logRequest(logger, fields, res.statusCode, started));
  const limit = api.bodyLimit(method, url.pathname);
  const hasBody = method !== "GET" && method !== "HEAD" && method !== "OPTIONS";
  const body = hasBody ? await readBody(req, limit) : undefined;
  if (body === "aborted") {
    logger.debug("api request aborted by the client", fields);
    return;
  }
  if (body === "too-large") {
    res.setHeader("connection", "close");
    send(res, json(413, { error: `request body is larger than ${limit} bytes` }));
    return;
  }
  const request: ApiRequest = {
    method,
    path: url.pathname,
    query: url.searchParams,
    headers: headersOf(req),
    scheme: "http",
    ...(remote ? { client: remote } : {}),
    ...(body ? { body } : {}),
  };
  send(res, await api.handle(request));
}
