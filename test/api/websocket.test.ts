import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { LiveMessage } from "../../core/model/messages.js";
import type { IncidentStatus } from "../../core/model/status.js";
import { makeIncident } from "../../core/store/contract/fixtures.js";
import { type Harness, startHarness, TOKEN } from "./harness.js";

let harness: Harness | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await harness?.stop();
  harness = undefined;
});

function wsUrl(url: string, query = `?token=${TOKEN}`): string {
  return `${url.replace(/^http/, "ws")}/ws${query}`;
}

/** Connect and collect every message; resolves once open. */
function connect(url: string, options: WebSocket.ClientOptions = {}) {
  const messages: LiveMessage[] = [];
  const socket = new WebSocket(url, options);
  sockets.push(socket);
  socket.on("message", (data) => messages.push(JSON.parse(String(data)) as LiveMessage));
  const opened = new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  return { socket, messages, opened };
}

/** The HTTP status a refused upgrade answered with. */
function refusedStatus(url: string, options: WebSocket.ClientOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    sockets.push(socket);
    socket.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    socket.once("open", () => reject(new Error("connection was accepted")));
    socket.once("error", () => {});
  });
}

describe("local server: live WebSocket", () => {
  it("delivers the creation and every transition of an incident, in order", async () => {
    harness = await startHarness();
    const client = connect(wsUrl(harness.url));
    await client.opened;
    const incident = makeIncident();
    const path: IncidentStatus[] = ["TRIAGED", "AWAITING_APPROVAL", "PROCESSING", "MITIGATED", "RESOLVED"];

    await harness.store.createIncident(incident);
    for (const [index, status] of path.entries()) {
      await harness.store.transition(incident.id, status, { at: `2026-01-01T00:0${index}:00.000Z`, by: "test" });
    }
    await expect.poll(() => client.messages.filter((message) => message.type !== "heartbeat").length).toBe(6);

    const live = client.messages.filter((message) => message.type !== "heartbeat");
    expect(live[0]).toMatchObject({ v: 1, type: "incident.created", incident: { id: incident.id, status: "NEW" } });
    expect(live.slice(1)).toEqual(
      path.map((status, index) => ({
        v: 1,
        type: "incident.changed",
        id: incident.id,
        status,
        version: index + 2,
        at: `2026-01-01T00:0${index}:00.000Z`,
      })),
    );
  });

  it("accepts the token in an Authorization header too", async () => {
    harness = await startHarness();
    const client = connect(wsUrl(harness.url, ""), { headers: { authorization: `Bearer ${TOKEN}` } });

    await client.opened;

    expect(harness.server.live.clients).toBe(1);
  });

  it("refuses upgrades without a valid token, from a foreign origin or host, or on another path", async () => {
    harness = await startHarness();

    const statuses = await Promise.all([
      refusedStatus(wsUrl(harness.url, "")),
      refusedStatus(wsUrl(harness.url, "?token=wrong")),
      refusedStatus(wsUrl(harness.url), { origin: "https://evil.example" }),
      refusedStatus(wsUrl(harness.url), { headers: { host: "rebound.example" } }),
      refusedStatus(`${harness.url.replace(/^http/, "ws")}/socket?token=${TOKEN}`),
    ]);

    expect(statuses).toEqual([401, 401, 403, 403, 404]);
    expect(harness.server.live.clients).toBe(0);
  });

  it("accepts a browser on the server's own origin and on configured origins", async () => {
    harness = await startHarness({ allowedOrigins: ["https://dash.example.com"] });

    const own = connect(wsUrl(harness.url), { origin: harness.url });
    const configured = connect(wsUrl(harness.url), { origin: "https://dash.example.com" });
    await Promise.all([own.opened, configured.opened]);

    expect(harness.server.live.clients).toBe(2);
  });

  it("sends heartbeats and drops a client that stops answering pings", async () => {
    harness = await startHarness({ heartbeatSeconds: 0.05 });
    const healthy = connect(wsUrl(harness.url));
    const silent = connect(wsUrl(harness.url), { autoPong: false });
    await Promise.all([healthy.opened, silent.opened]);
    const silentClosed = new Promise<void>((resolve) => silent.socket.once("close", () => resolve()));

    await silentClosed;
    await expect
      .poll(() => healthy.messages.filter((message) => message.type === "heartbeat").length)
      .toBeGreaterThan(2);

    expect(healthy.socket.readyState).toBe(WebSocket.OPEN);
    expect(healthy.messages.every((message) => message.type !== "heartbeat" || typeof message.at === "string")).toBe(
      true,
    );
  });

  it("closes live clients when the server stops", async () => {
    harness = await startHarness();
    const client = connect(wsUrl(harness.url));
    await client.opened;
    const closed = new Promise<number>((resolve) => client.socket.once("close", (code) => resolve(code)));

    await harness.stop();
    harness = undefined;

    expect(await closed).toBe(1001);
  });
});
