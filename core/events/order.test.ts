import { describe, expect, it } from "vitest";
import type { SecurityEvent } from "../model/event.js";
import { type OrderStats, orderByEventTime } from "./order.js";
import type { ReadItem } from "./types.js";

const event = (id: string, epochMs: number) => ({ event: { id, epochMs } as SecurityEvent });

async function collect(batches: ReadItem[][], options = {}, stats?: OrderStats): Promise<string[]> {
  async function* source() {
    yield* batches;
  }
  const out: string[] = [];
  for await (const batch of orderByEventTime(source(), options, stats)) {
    for (const item of batch) out.push("event" in item ? item.event.id : `error:${item.error.position}`);
  }
  return out;
}

describe("orderByEventTime", () => {
  it("releases events in time order, keeping arrival order for ties, and passes errors at once", async () => {
    const error = { error: { file: "f", position: 7, reason: "bad" } };

    const ids = await collect([
      [event("c", 30), event("a", 10)],
      [error, event("b", 10), event("d", 40)],
    ]);

    expect(ids).toEqual(["error:7", "a", "b", "c", "d"]);
  });

  it("holds events within the lateness window and releases older ones as time advances", async () => {
    const ids = await collect([[event("late", 50), event("early", 0)], [event("later", 1000)]], { latenessMs: 100 });

    expect(ids).toEqual(["early", "late", "later"]);
  });

  it("counts events that arrive after a later one was released, and only those", async () => {
    const stats: OrderStats = { late: 0 };

    const ids = await collect(
      [
        [event("a", 0), event("b", 1000)],
        [event("c", 1200)],
        [
          event("late", 500),
          event("behind-in-order", 1150),
          event("tie", 1000),
          event("also-late", 999),
          event("d", 2000),
        ],
      ],
      { latenessMs: 100 },
      stats,
    );

    expect(ids).toEqual(["a", "b", "late", "also-late", "tie", "behind-in-order", "c", "d"]);
    expect(stats.late).toBe(2);
  });

  it("counts events released out of order because the buffer was full", async () => {
    const stats: OrderStats = { late: 0 };

    const ids = await collect(
      [[event("b", 20), event("c", 30)], [event("a", 10)]],
      { maxBuffered: 1, latenessMs: 1e9 },
      stats,
    );

    expect(ids).toEqual(["b", "a", "c"]);
    expect(stats.late).toBe(1);
  });

  it("counts nothing when every event arrives within the window", async () => {
    const stats: OrderStats = { late: 0 };

    await collect(
      [
        [event("c", 30), event("a", 10)],
        [event("b", 20), event("d", 40)],
      ],
      { latenessMs: 100 },
      stats,
    );

    expect(stats.late).toBe(0);
  });

  it("never holds more than maxBuffered events", async () => {
    const batches = [Array.from({ length: 10 }, (_, i) => event(`e${i}`, 10 - i))];
    async function* source() {
      yield* batches;
    }
    const sizes: number[] = [];

    for await (const batch of orderByEventTime(source(), { maxBuffered: 3, latenessMs: 1e9 })) sizes.push(batch.length);

    expect(sizes).toEqual([7, 3]);
  });
});
