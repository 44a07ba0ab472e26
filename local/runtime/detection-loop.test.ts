import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { DetectionEngine } from "../../core/detections/engine.js";
import { silentLogger } from "../../core/log.js";
import type { SecurityEvent } from "../../core/model/event.js";
import { type DetectionDatabase, openDetectionDatabase } from "./detection-db.js";
import { createDetectionLoop, type DetectionLoop } from "./detection-loop.js";
import { EventInbox } from "./inbox.js";
import { AsyncLock } from "./lock.js";
import { FindingOutbox } from "./outbox.js";

/**
 * Why the detection loop waits `settleMs` before a batch: events delivered separately but close
 * together (EventBridge posting each event on its own, concurrently; a file's chunks; pages of
 * LookupEvents, newest first) reach the engine in event-time order only if the later deliveries
 * are in the inbox when the batch is taken. The wait cannot be skipped by looking at what is
 * pending, even for an idle loop woken by a single delivery: what it orders is what arrives next.
 */

const T0 = Date.parse("2026-03-01T10:00:00Z");
const opened: { db: DetectionDatabase; dir: string; loop: DetectionLoop }[] = [];
afterEach(async () => {
  for (const { db, dir, loop } of opened.splice(0)) {
    await loop.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

function event(id: string, epochMs: number): SecurityEvent {
  return { id, epochMs, source: "test", name: "TestEvent" } as unknown as SecurityEvent;
}

/** A real inbox and outbox; an engine that only notes the order it is given events in. */
function setUp(settleMs: number) {
  const dir = mkdtempSync(join(tmpdir(), "riposte-detection-loop-"));
  const db = openDetectionDatabase(dir);
  const lock = new AsyncLock();
  const inbox = new EventInbox(db, lock);
  const detected: string[] = [];
  const engine: DetectionEngine = {
    process: async (item) => {
      detected.push(item.id);
      return [];
    },
    processBatch: async (items) => {
      detected.push(...items.map((item) => item.id));
      return [];
    },
    finish: async () => [],
    latestTime: undefined,
  };
  const loop = createDetectionLoop({
    inbox,
    outbox: new FindingOutbox(db),
    lock,
    createEngine: () => engine,
    start: async () => ({ incidentId: "unused", started: false }),
    batchSize: 500,
    settleMs,
    logger: silentLogger,
  });
  inbox.onArrival(() => loop.wake());
  loop.start();
  opened.push({ db, dir, loop });
  return { inbox, loop, detected };
}

describe("detection loop: the settle wait", () => {
  it("detects a later delivery of an earlier event first when it arrives within settleMs of an idle loop's wake-up", async () => {
    // Arrange: a loop gone idle after detecting an older event (a wait long enough that the second
    // delivery surely lands inside it).
    const { inbox, loop, detected } = setUp(500);
    await inbox.add([event("before", T0 - 60_000)], "api");
    await loop.drained();

    // Act: a later event arrives alone, in order after what was detected, and wakes the loop; the
    // earlier one is a separate delivery.
    await inbox.add([event("later", T0 + 1000)], "api");
    await inbox.add([event("earlier", T0)], "api");
    await loop.drained();

    // Assert: event-time order, not arrival order.
    expect(detected).toEqual(["before", "earlier", "later"]);
  });

  it("orders only what is pending when the batch is taken: without the wait, arrival order wins", async () => {
    // Arrange: the same two deliveries with no wait (what skipping it for an idle loop would do).
    const { inbox, loop, detected } = setUp(0);

    // Act
    await inbox.add([event("later", T0 + 1000)], "api");
    await inbox.add([event("earlier", T0)], "api");
    await loop.drained();

    // Assert: the later event was detected before the earlier one existed in the inbox.
    expect(detected).toEqual(["later", "earlier"]);
  });

  it("orders the events of one delivery by event time, with or without the wait", async () => {
    // Arrange
    const { inbox, loop, detected } = setUp(0);

    // Act: one delivery, out of order (LookupEvents pages come newest first).
    await inbox.add([event("third", T0 + 2000), event("first", T0), event("second", T0 + 1000)], "api");
    await loop.drained();

    // Assert
    expect(detected).toEqual(["first", "second", "third"]);
  });
});
