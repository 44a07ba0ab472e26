import { request as httpRequest } from "node:http";
import { connect, type Socket } from "node:net";
import WebSocket from "ws";

/**
 * Raw clients for the adversarial suite: what fetch will not send (chunked floods, lying lengths,
 * half-sent headers, a reset mid-request), and requests from a chosen loopback address
 * (127.0.0.2…), so one test can be a different client than another on the same machine.
 */

export interface RawAnswer {
  /** Everything the server sent before closing (or before the exchange ended). */
  text: string;
  /** The status of the first response line, or undefined when none came. */
  status?: number;
}

function statusOf(text: string): number | undefined {
  const match = /^HTTP\/1\.1 (\d{3}) /.exec(text);
  return match ? Number(match[1]) : undefined;
}

function open(port: number, localAddress?: string): Socket {
  const socket = connect({ port, host: "127.0.0.1", ...(localAddress ? { localAddress } : {}) });
  // A reset from the server is an outcome the tests look at, never an error of the test.
  socket.on("error", () => {});
  return socket;
}

const closed = (socket: Socket) =>
  new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once("close", () => resolve())));

/** Send `text` and read until the server closes the connection. */
export async function rawExchange(port: number, text: string): Promise<RawAnswer> {
  const socket = open(port);
  let received = "";
  socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
  socket.write(text);
  await closed(socket);
  return { text: received, status: statusOf(received) };
}

/** Send `text` and reset the connection (RST) right away, as a client that vanishes does. */
export async function sendAndReset(port: number, text: string): Promise<void> {
  const socket = open(port);
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  socket.write(text);
  socket.resetAndDestroy();
  await closed(socket);
}

/**
 * POST `totalBytes` with `Transfer-Encoding: chunked` (no Content-Length, so the server cannot
 * refuse up front), 1 MiB a chunk, until all is sent or the server closes the connection.
 */
export async function chunkedFlood(port: number, path: string, totalBytes: number): Promise<RawAnswer> {
  const socket = open(port);
  let received = "";
  socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
  const done = closed(socket);
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
  );
  const chunk = Buffer.alloc(1024 * 1024, "a");
  for (let sent = 0; sent < totalBytes && !socket.destroyed; sent += chunk.byteLength) {
    socket.write(`${chunk.byteLength.toString(16)}\r\n`);
    socket.write(chunk);
    if (!socket.write("\r\n")) {
      await Promise.race([new Promise((resolve) => socket.once("drain", resolve)), done]);
    }
  }
  if (!socket.destroyed) socket.end("0\r\n\r\n");
  await done;
  return { text: received, status: statusOf(received) };
}

/** A GET from `localAddress` with an optional bearer token; the status and headers. */
export function getFrom(
  url: string,
  path: string,
  options: { token?: string; localAddress?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path,
        agent: false,
        localAddress: options.localAddress,
        headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** Open `/ws` from `localAddress` with `token`: "open", or the HTTP status of the refusal. */
export function liveFrom(url: string, token: string, localAddress?: string): Promise<"open" | number> {
  const socket = new WebSocket(`${url.replace(/^http/, "ws")}/ws`, {
    headers: { authorization: `Bearer ${token}` },
    ...(localAddress ? { localAddress } : {}),
  });
  return new Promise((resolve, reject) => {
    socket.once("open", () => {
      socket.close();
      resolve("open");
    });
    socket.once("unexpected-response", (_req, res) => {
      res.resume();
      socket.terminate();
      resolve(res.statusCode ?? 0);
    });
    socket.once("error", reject);
  });
}

/** Start a request whose headers never end (slowloris); resolves with what came before the close. */
export async function unfinishedHeaders(port: number): Promise<RawAnswer> {
  const socket = open(port);
  let received = "";
  socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
  socket.write(`GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `);
  await closed(socket);
  return { text: received, status: statusOf(received) };
}

/**
 * Ask for `/ws` without a token from a client that never closes its side (allowHalfOpen); resolves
 * once the refusal has been read to its end. The socket is the caller's to destroy.
 */
export async function halfOpenUpgrade(port: number): Promise<Socket> {
  const socket = connect({ port, host: "127.0.0.1", allowHalfOpen: true });
  socket.on("error", () => {});
  socket.resume();
  const ended = new Promise<void>((resolve) => socket.once("end", () => resolve()));
  socket.write(
    `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
  );
  await ended;
  return socket;
}
