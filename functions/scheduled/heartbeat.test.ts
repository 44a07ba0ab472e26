import { describe, expect, it } from "vitest";
import { createHeartbeatScheduleHandler, HEARTBEAT_INTERVAL_MS, HEARTBEATS_PER_MINUTE } from "./heartbeat.js";

describe("scheduled heartbeats", () => {
  it("sends three a minute, 20 seconds apart, while dashboards are connected", async () => {
    const pauses: number[] = [];
    let sends = 0;
    const handler = createHeartbeatScheduleHandler(
      async () => {
        sends += 1;
        return { connections: 2, sent: 2, gone: 0, failed: 0 };
      },
      async (ms) => void pauses.push(ms),
    );

    const result = await handler();

    expect(result).toEqual({ rounds: HEARTBEATS_PER_MINUTE, sent: 6 });
    expect(pauses).toEqual([HEARTBEAT_INTERVAL_MS, HEARTBEAT_INTERVAL_MS]);
    expect(sends * HEARTBEAT_INTERVAL_MS).toBeLessThanOrEqual(60_000);
    // The dashboard drops a socket silent for 45 s.
    expect(HEARTBEAT_INTERVAL_MS).toBeLessThan(45_000);
  });

  it("stops after one round when nobody is connected (or the last ones are gone)", async () => {
    const pauses: number[] = [];
    const handler = createHeartbeatScheduleHandler(
      async () => ({ connections: 1, sent: 0, gone: 1, failed: 0 }),
      async (ms) => void pauses.push(ms),
    );

    expect(await handler()).toEqual({ rounds: 1, sent: 0 });
    expect(pauses).toEqual([]);
  });
});
