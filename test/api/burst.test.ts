import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { LiveMessage } from "../../core/model/messages.js";
import { burstBodies, incidentPerEventIntake, postBurst } from "./burst.js";
import { type Harness, INTAKE_TOKEN, startHarness, TOKEN } from "./harness.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe("local server under a burst", () => {
  it("takes 10,000 concurrent event posts (plus repeats) with nothing lost or duplicated", async () => {
    let intake: ReturnType<typeof incidentPerEventIntake> | undefined;
    harness = await startHarness({ intake: (body) => intake!(body) });
    intake = incidentPerEventIntake(harness.store);
    const created = new Set<string>();
    let createdMessages = 0;
    const socket = new WebSocket(`${harness.url.replace(/^http/, "ws")}/ws?token=${TOKEN}`);
    socket.on("message", (data) => {
      const message = JSON.parse(String(data)) as LiveMessage;
      if (message.type !== "incident.created") return;
      createdMessages += 1;
      created.add(message.incident.id);
    });
    await new Promise((resolve) => socket.once("open", resolve));

    const result = await postBurst(harness.url, "/api/events", INTAKE_TOKEN, burstBodies(10_000, 1_000));
    await expect.poll(() => createdMessages, { timeout: 20_000 }).toBe(10_000);
    const stored = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await harness.store.listIncidents({ limit: 1000, cursor });
      for (const item of page.items) stored.add(item.id);
      cursor = page.nextCursor;
    } while (cursor);
    socket.terminate();

    expect(result.failures).toBe(0);
    expect(Object.fromEntries(result.statuses)).toEqual({ 202: 11_000 });
    expect(stored.size).toBe(10_000);
    expect(created.size).toBe(10_000);
    expect(stored.has("burst-event-0") && stored.has("burst-event-9999")).toBe(true);
  }, 120_000);
});
