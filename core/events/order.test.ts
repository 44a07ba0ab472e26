import { describe, expect, it } from "vitest";
import type { SecurityEvent } from "../model/event.js";
import { orderByEventTime } from "./order.js";
import type { ReadItem } from "./types.js";

const event = (id: string, epochMs: number) => ({ event: { id, epochMs } as SecurityEvent });

async function collect(batches: ReadItem[][], options = {}): Promise<string[]> {
  async function* source() {
    yield* batches;
  }
  const out: string[] = [];
  for await (const batch of orderByEventTime(source(), options)) {
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
