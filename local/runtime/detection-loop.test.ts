import { describe, expect, it } from "vitest";
import type { DetectionEngine } from "../../core/engine/engine.js";
import { incidentIdFor } from "../../core/incidents/id.js";
import { silentLogger } from "../../core/log.js";
import type { Finding } from "../../core/model/incident.js";
import { closeLoopsAfterEach, loopDir, testEvent } from "../../test/support/detection-loops.js";
import { InvalidExecutionInput } from "../interpreter/errors.js";
import { openDetectionDatabase } from "./detection-db.js";
import { createDetectionLoop } from "./detection-loop.js";
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
const track = closeLoopsAfterEach();

const event = testEvent;

/** A real inbox and outbox; an engine that only notes the order it is given events in. */
function setUp(settleMs: number) {
  const dir = loopDir();
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
  track({ db, dir, loop });
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

/**
 * A finding whose workflow can never start (its input over the 256 KiB quota) is set aside with
 * the reason, and the findings behind it start; a transient failure keeps it queued and retried.
 */
describe("detection loop: findings whose workflow cannot start", () => {
  function finding(eventId: string): Finding {
    return { detection: "sg-ssh-open-world", category: "network", eventIds: [eventId] } as unknown as Finding;
  }

  /** One finding per event; `start` decides per event id what starting its workflow does. */
  function setUpStarts(dir: string, start: (eventId: string) => Promise<void>) {
    const db = openDetectionDatabase(dir);
    const lock = new AsyncLock();
    const inbox = new EventInbox(db, lock);
    const outbox = new FindingOutbox(db);
    const started: string[] = [];
    const engine: DetectionEngine = {
      process: async (item) => [finding(item.id)],
      processBatch: async (items) => items.map((item) => finding(item.id)),
      finish: async () => [],
      latestTime: undefined,
    };
    const loop = createDetectionLoop({
      inbox,
      outbox,
      lock,
      createEngine: () => engine,
      start: async (item) => {
        const eventId = item.eventIds[0]!;
        await start(eventId);
        started.push(eventId);
        return { incidentId: incidentIdFor(item), started: true };
      },
      batchSize: 500,
      settleMs: 0,
      retryDelayMs: 1,
      logger: silentLogger,
    });
    inbox.onArrival(() => loop.wake());
    loop.start();
    track({ db, dir, loop });
    return { inbox, outbox, loop, started };
  }

  const tooLarge = () => new InvalidExecutionInput("the execution input exceeds the 256 KiB payload quota");

  it("dead-letters a finding whose input is too large, with the reason, and starts the ones behind it", async () => {
    // Arrange
    const dir = loopDir();
    const { inbox, outbox, loop, started } = setUpStarts(dir, async (eventId) => {
      if (eventId === "poison") throw tooLarge();
    });

    // Act
    await inbox.add([event("poison", T0), ...[1, 2, 3, 4, 5].map((n) => event(`valid-${n}`, T0 + n))], "api");
    await loop.drained();

    // Assert
    expect(started).toEqual(["valid-1", "valid-2", "valid-3", "valid-4", "valid-5"]);
    expect(outbox.size()).toBe(0);
    expect(outbox.deadLettered()).toBe(1);
    expect(outbox.recentDeadLetters(10)).toEqual([
      {
        incidentId: incidentIdFor(finding("poison")),
        detection: "sg-ssh-open-world",
        failedAt: expect.any(Number),
        reason: "InvalidExecutionInput: the execution input exceeds the 256 KiB payload quota",
      },
    ]);
    expect(loop.stats()).toMatchObject({ started: 5, deadLetteredFindings: 1 });
    expect(loop.stats().lastError).toBeUndefined();
  });

  it("keeps a dead-lettered finding set aside after a restart on the same database", async () => {
    // Arrange: a first run dead-letters the poison finding.
    const dir = loopDir();
    const first = setUpStarts(dir, async (eventId) => {
      if (eventId === "poison") throw tooLarge();
    });
    await first.inbox.add([event("poison", T0)], "api");
    await first.loop.drained();
    await first.loop.stop();

    // Act: a second process on the same data, whose starts would all succeed.
    const second = setUpStarts(dir, async () => {});
    await second.inbox.add([event("after-restart", T0 + 1)], "api");
    await second.loop.drained();

    // Assert: the poison is not retried, the new finding starts.
    expect(second.started).toEqual(["after-restart"]);
    expect(second.outbox.deadLettered()).toBe(1);
  });

  it("keeps a finding queued through transient failures and starts it, in order, once they clear", async () => {
    // Arrange: the first two starts of `flaky` fail as a closing interpreter or a full disk would.
    const dir = loopDir();
    let failures = 0;
    const { inbox, outbox, loop, started } = setUpStarts(dir, async (eventId) => {
      if (eventId === "flaky" && failures < 2) {
        failures++;
        throw Object.assign(new Error("database is locked"), { name: "SqliteError" });
      }
    });

    // Act
    await inbox.add([event("flaky", T0), event("behind", T0 + 1)], "api");
    await loop.drained();

    // Assert: retried, nothing set aside, the order kept.
    expect(failures).toBe(2);
    expect(started).toEqual(["flaky", "behind"]);
    expect(outbox.deadLettered()).toBe(0);
  });
});
