import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { bearerToken } from "../../core/api/auth.js";
import { normalizeOrigin } from "../../core/api/cors.js";
import { heartbeatMessage, toLiveMessage } from "../../core/api/live.js";
import type { AuthThrottle } from "../../core/api/throttle.js";
import type { Logger } from "../../core/log.js";
import type { ChangeStream } from "../../core/store/ports.js";
import { requestUrl } from "./http.js";

/**
 * Live push for `riposte serve`: a `ws` server on `/ws`. Clients authenticate with the dashboard
 * token (`Authorization: Bearer` or `?token=`, since browsers cannot set headers on WebSocket),
 * from the server's own origin or an allowed one. Every store change is broadcast in write order;
 * heartbeats (a message and a ping) every interval, and a client that missed a pong is dropped.
 */
export interface LiveHubOptions {
  changes: ChangeStream;
  checkToken: (token: string | undefined) => string | undefined;
  hostAllowed: (host: string | undefined) => boolean;
  allowedOrigins: ReadonlySet<string>;
  /** Wrong tokens per client address, shared with the REST API. */
  throttle?: AuthThrottle;
  heartbeatMs: number;
  logger: Logger;
  now?: () => Date;
  /** A client this far behind (bytes queued) is dropped; it reconnects and resyncs over REST. */
  maxBufferedBytes?: number;
}

export interface LiveHub {
  /** Connected clients. */
  readonly clients: number;
  close(): void;
}

const PATH = "/ws";

/** Answer an upgrade request with an HTTP error and close the socket once it is written. */
function refuse(socket: Duplex, status: number, reason: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ error: reason });
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-type: application/json\r\n${extra.join("")}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    // The server sockets allow half-open connections: a client that never closes would linger.
    () => socket.destroy(),
  );
}

function originAllowed(req: IncomingMessage, allowed: ReadonlySet<string>): boolean {
  const origin = req.headers.origin;
  // Non-browser clients send no Origin; browsers always do, and a foreign page must not connect.
  if (origin === undefined) return true;
  const normalized = normalizeOrigin(origin);
  const own = req.headers.host ? normalizeOrigin(`http://${req.headers.host}`) : undefined;
  return normalized !== undefined && (normalized === own || allowed.has(normalized));
}

/** Attach the live hub to an HTTP server's upgrade requests. */
export function attachLiveHub(server: Server, options: LiveHubOptions): LiveHub {
  const now = options.now ?? (() => new Date());
  const maxBuffered = options.maxBufferedBytes ?? 4 * 1024 * 1024;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false });
  const alive = new WeakMap<WebSocket, boolean>();

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // node:http stops watching an upgraded socket: without this, a client reset would crash.
    socket.on("error", (error) => options.logger.debug("live socket error", { error }));
    const remote = req.socket?.remoteAddress;
    const refused = (status: number, reason: string, why: string, headers?: Record<string, string>) => {
      options.logger.warn("live connection refused", { why, remote });
      refuse(socket, status, reason, headers);
    };
    const url = requestUrl(req.url);
    if (!url) return refuse(socket, 400, "Bad Request");
    if (url.pathname !== PATH) return refuse(socket, 404, "Not Found");
    if (!options.hostAllowed(req.headers.host)) return refused(403, "Forbidden", "host");
    if (!originAllowed(req, options.allowedOrigins)) return refused(403, "Forbidden", "origin");
    const wait = remote !== undefined ? options.throttle?.retryAfter(remote) : undefined;
    if (wait !== undefined) return refused(429, "Too Many Requests", "throttled", { "retry-after": String(wait) });
    const token = bearerToken(req.headers.authorization) ?? url.searchParams.get("token") ?? undefined;
    if (!options.checkToken(token)) {
      if (token && remote !== undefined) options.throttle?.failed(remote);
      return refused(401, "Unauthorized", token ? "invalid token" : "missing token");
    }
    wss.handleUpgrade(req, socket, head, (client) => wss.emit("connection", client, req));
  };

  wss.on("connection", (client: WebSocket) => {
    alive.set(client, true);
    client.on("pong", () => alive.set(client, true));
    client.on("error", (error) => options.logger.debug("live client error", { error }));
    // Clients have nothing to say; messages are ignored (maxPayload bounds them).
    client.send(JSON.stringify(heartbeatMessage(now())));
  });

  const send = (text: string) => {
    for (const client of wss.clients) {
      if (client.readyState !== client.OPEN) continue;
      if (client.bufferedAmount > maxBuffered) {
        options.logger.warn("live client too slow; dropped", { buffered: client.bufferedAmount });
        client.terminate();
        continue;
      }
      client.send(text);
    }
  };

  const unsubscribe = options.changes.subscribe((change) => send(JSON.stringify(toLiveMessage(change))));

  const heartbeat = setInterval(() => {
    const message = JSON.stringify(heartbeatMessage(now()));
    for (const client of wss.clients) {
      if (!alive.get(client)) {
        client.terminate();
        continue;
      }
      alive.set(client, false);
      client.ping();
      if (client.readyState === client.OPEN) client.send(message);
    }
  }, options.heartbeatMs);
  heartbeat.unref();

  server.on("upgrade", onUpgrade);

  return {
    get clients() {
      return wss.clients.size;
    },
    close() {
      clearInterval(heartbeat);
      unsubscribe();
      server.off("upgrade", onUpgrade);
      for (const client of wss.clients) client.close(1001, "server shutting down");
      // Clients that do not answer the close handshake are cut shortly after.
      setTimeout(() => {
        for (const client of wss.clients) client.terminate();
      }, 1000).unref();
      wss.close();
    },
  };
}
