import { spawn } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_THROTTLE } from "../../core/api/throttle.js";
import { startHarness } from "../api/harness.js";
import { type Served, serve, sleep, stopAll, TOKEN, tempDir } from "../serve/support/riposte.js";
import {
  chunkedFlood,
  getFrom,
  halfOpenUpgrade,
  liveFrom,
  rawExchange,
  sendAndReset,
  unfinishedHeaders,
} from "./wire.js";

/**
 * `riposte serve` against a hostile client on the same machine: a real server process, real
 * sockets. Whatever a client sends before (or instead of) authenticating, it gets an HTTP error
 * or a closed connection, and the process keeps serving everyone else.
 */

describe("riposte serve against hostile clients", () => {
  const dataDir = tempDir("riposte-adversarial-");
  let served: Served;
  let port: number;

  beforeAll(async () => {
    served = await serve({ dataDir: dataDir.path });
    port = Number(new URL(served.url).port);
  });

  afterAll(async () => {
    await stopAll();
    dataDir.remove();
  });

  /** The process is still running and answering. */
  async function stillServing(): Promise<void> {
    const health = await getFrom(served.url, "/api/health");
    expect(health.status).toBe(200);
    expect(served.child.exitCode, served.output()).toBeNull();
  }

  it.each(["/api/events", "/slack/interactions"])(
    "answers a 20 MB chunked body to %s, without a token, with 413 or a closed connection, and lives",
    async (path) => {
      const answer = await chunkedFlood(port, path, 20 * 1024 * 1024);

      expect([413, undefined]).toContain(answer.status);
      await stillServing();
    },
  );

  it("refuses lying body lengths and lives", async () => {
    const post = (headers: string, body: string) =>
      rawExchange(port, `POST /api/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${headers}\r\n\r\n${body}`);

    const overLimit = await post("Content-Length: 99999999999\r\nConnection: close", "{}");
    const both = await post("Content-Length: 2\r\nTransfer-Encoding: chunked\r\nConnection: close", "{}");
    const negative = await post("Content-Length: -1\r\nConnection: close", "{}");
    // More than it declares: the rest is a second request, and not a valid one (node answers
    // the parse error at once, possibly before the first request's answer).
    const longer = await post("Content-Length: 2\r\nContent-Type: application/json", "{}GARBAGE\r\n\r\n");
    // Less than it declares, then gone: the server stops waiting and answers nobody.
    await sendAndReset(
      port,
      `POST /api/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 1000\r\nContent-Type: application/json\r\n\r\n{"Rec`,
    );

    expect(overLimit.status).toBe(413);
    expect(both.status).toBe(400);
    expect(negative.status).toBe(400);
    expect(longer.text).toMatch(/HTTP\/1\.1 400 /);
    await stillServing();
  });

  it("answers a request target that is not a URL with 400, upgrade or not, and lives", async () => {
    const plain = await rawExchange(
      port,
      `GET http://[ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
    );
    const upgrade = await rawExchange(
      port,
      `GET http://[ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
    );

    expect(plain.status).toBe(400);
    expect(upgrade.status).toBe(400);
    await stillServing();
  });

  it("lives through clients that reset the connection during a refused WebSocket upgrade", async () => {
    const upgrade = `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;

    for (let attempt = 0; attempt < 10; attempt++) await sendAndReset(port, upgrade);
    await sleep(200); // the server handles the resets after the test's sockets are gone

    await stillServing();
  });

  it("closes a connection whose headers never end (slowloris) with 408", async () => {
    const answer = await unfinishedHeaders(port);

    expect(answer.status).toBe(408);
    await stillServing();
  });

  it("answers wrong tokens with 429 after the limit, REST and WebSocket alike, counting every loopback address as one", async () => {
    const guesses: number[] = [];
    // Half the allowance over the live socket, half over REST, each from its own loopback address:
    // a local guesser cannot multiply its allowance by rotating through 127.0.0.0/8.
    for (let guess = 0; guess < DEFAULT_THROTTLE.maxFailures / 2; guess++) {
      guesses.push((await liveFrom(served.url, `wrong-token-${guess}`, `127.0.0.${2 + guess}`)) as number);
    }
    for (let guess = DEFAULT_THROTTLE.maxFailures / 2; guess < DEFAULT_THROTTLE.maxFailures; guess++) {
      guesses.push(
        (
          await getFrom(served.url, "/api/incidents", {
            token: `wrong-token-${guess}`,
            localAddress: `127.0.1.${guess}`,
          })
        ).status,
      );
    }

    const throttled = await getFrom(served.url, "/api/incidents", {
      token: "wrong-token-x",
      localAddress: "127.9.9.9",
    });
    // While throttled no token is checked, else the answer would tell which guess was right.
    const rightButThrottled = await getFrom(served.url, "/api/incidents", { token: TOKEN });
    const liveThrottled = await liveFrom(served.url, TOKEN, "127.0.0.2");

    expect(guesses).toEqual(new Array(DEFAULT_THROTTLE.maxFailures).fill(401));
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers["retry-after"])).toBeGreaterThan(0);
    expect(rightButThrottled.status).toBe(429);
    expect(liveThrottled).toBe(429);
  });

  it("does not warn about exposure on loopback", () => {
    expect(served.output()).not.toContain("non-loopback");
  });
});

describe("riposte serve --host 0.0.0.0", () => {
  it("warns at start that it is reachable from the network without TLS, tokens its only protection", async () => {
    const dir = tempDir("riposte-adversarial-any-");
    const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
    // Port 0 on every interface, only to read the start-up lines: no traffic is sent to it.
    const child = spawn(
      process.execPath,
      ["bin/riposte.mjs", "serve", "--host", "0.0.0.0", "--port", "0", "--no-demo", "--data-dir", dir.path],
      { cwd: repoRoot, env: { ...process.env, RIPOSTE_DASHBOARD_TOKEN: TOKEN }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      await expect.poll(() => output, { timeout: 20_000 }).toMatch(/listening on http:\/\/0\.0\.0\.0:\d+/);
    } finally {
      child.kill("SIGTERM");
      await exited;
      dir.remove();
    }

    const warning = output
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { level: string; msg: string; hostCheck?: string })
      .find((line) => line.msg.includes("non-loopback"));
    expect(warning?.level).toBe("warn");
    expect(warning?.msg).toMatch(/no TLS/);
    expect(warning?.msg).toMatch(/token is the only protection/);
    expect(warning?.hostCheck).toMatch(/^off/);
  });
});

describe("local server pages and files (in process)", () => {
  const web = tempDir("riposte-adversarial-web-");
  mkdirSync(join(web.path, "assets"));
  writeFileSync(join(web.path, "index.html"), "<!doctype html><title>Riposte</title>");

  afterAll(() => web.remove());

  it("names the page's own WebSocket origin in connect-src, never any ws: host", async () => {
    const harness = await startHarness({ webRoot: web.path });
    try {
      const own = new URL(harness.url).host;
      const page = await getFrom(harness.url, "/");
      const csp = String(page.headers["content-security-policy"]);

      expect(page.status).toBe(200);
      expect(csp).toContain(`connect-src 'self' ws://${own} wss://${own};`);
      expect(csp).not.toMatch(/\sws:\s|\swss:\s/);
    } finally {
      await harness.stop();
    }
  });

  it("closes a refused WebSocket upgrade even when the client keeps its side open", async () => {
    const harness = await startHarness();
    const socket = await halfOpenUpgrade(Number(new URL(harness.url).port));
    const connections = () =>
      new Promise<number>((resolve) => harness.server.server.getConnections((_error, count) => resolve(count)));
    try {
      await expect.poll(connections, { timeout: 5_000 }).toBe(0);
    } finally {
      socket.destroy();
      await harness.stop();
    }
  });

  it.runIf(process.platform === "linux")("survives a file that fails while it is sent", async () => {
    // /proc/self/mem stats as a regular file and fails with EIO when read from its start.
    symlinkSync("/proc/self/mem", join(web.path, "assets", "broken.js"));
    const harness = await startHarness({ webRoot: web.path });
    try {
      await getFrom(harness.url, "/assets/broken.js").catch(() => undefined);
      const health = await getFrom(harness.url, "/api/health");

      expect(health.status).toBe(200);
    } finally {
      await harness.stop();
    }
  });
});
