import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { API_HEADERS, SECURITY_HEADERS } from "../../core/api/respond.js";
import type { Logger } from "../../core/log.js";
import { serveStatic } from "./static.js";

/**
 * Headers on every response: the shared security headers with the dashboard's CSP. JSON answers
 * (the API's and this server's own) replace them with `API_HEADERS`, as the AWS api function sends.
 * The live socket is allowed on the page's own host only, named exactly: CSP Level 3 lets 'self'
 * match ws:/wss: on the same host, but older browsers do not, and a bare `ws:` would allow any host.
 */
export function pageHeaders(host: string | undefined): Record<string, string> {
  const live =
    host !== undefined && HOST_HEADER.test(host) ? ` ws://${host.toLowerCase()} wss://${host.toLowerCase()}` : "";
  return {
    ...SECURITY_HEADERS,
    "content-security-policy": `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'${live}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`,
  };
}

// A host name or IP literal with an optional port: what may be written into a CSP source.
const HOST_HEADER = /^(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?)(?::\d{1,5})?$/i;

/**
 * Connection limits against clients that hold sockets open (slowloris): headers must arrive
 * within 10 s and a whole request (a 5 MB events body included) within 60 s; node checks every 2 s.
 */
export const CONNECTION_LIMITS = { headersTimeout: 10_000, requestTimeout: 60_000, connectionsCheckingInterval: 2_000 };

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> | boolean;

export interface HttpServerOptions {
  host: string;
  port: number;
  logger: Logger;
  /** Built dashboard (web/dist); absent means API only. */
  webRoot?: string;
  /** Tried in order; a handler returns true when it answered. */
  routes: RouteHandler[];
  /** Which `Host` headers to answer (DNS-rebinding defence); others get 403. Default: any. */
  allowHost?: (host: string | undefined) => boolean;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    ...API_HEADERS,
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** The URL of a request target, or undefined when it is not one (`GET http://[ HTTP/1.1`). */
export function requestUrl(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? "/", "http://localhost");
  } catch {
    return undefined;
  }
}

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Start the local HTTP server; resolves once it listens. */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  const { logger } = options;
  const answer = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (options.allowHost && !options.allowHost(req.headers.host)) {
      sendJson(res, 403, { error: "host not allowed" });
      return;
    }
    for (const [name, value] of Object.entries(pageHeaders(req.headers.host))) res.setHeader(name, value);
    for (const route of options.routes) {
      if (await route(req, res, url)) return;
    }
    if (req.method === "GET" && options.webRoot && !url.pathname.startsWith("/api/")) {
      if (await serveStatic(options.webRoot, url.pathname, res)) return;
    }
    sendJson(res, 404, { error: "not found", path: url.pathname });
  };
  // Whatever a request does, the process stays up: a failure is logged and answered 500.
  const server = createServer(CONNECTION_LIMITS, async (req, res) => {
    const url = requestUrl(req.url);
    try {
      if (!url) return sendJson(res, 400, { error: "the request target is not a valid URL" });
      await answer(req, res, url);
    } catch (error) {
      logger.error("request failed", { method: req.method, path: url?.pathname, error });
      if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
      else res.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
