import { describe, expect, it } from "vitest";
import { parseConfig } from "../../core/config/load.js";
import { createDetectionEngine, type DetectionEngine } from "../../core/engine/engine.js";
import { normalizeRecords } from "../../core/events/index.js";
import { silentLogger } from "../../core/log.js";
import type { Finding } from "../../core/model/incident.js";
import { SqliteCorrelationStore } from "../../core/store/sqlite/correlation.js";
import { authorizeIngress, cloudtrail, identity, publicReadPolicy, s3 } from "../../test/fixtures/events/cloudtrail.js";
import { closeLoopsAfterEach, loopDir, testEvent } from "../../test/support/detection-loops.js";
import { openDetectionDatabase } from "./detection-db.js";
import { createDetectionLoop } from "./detection-loop.js";
import { EventInbox } from "./inbox.js";
import { AsyncLock } from "./lock.js";
import { FindingOutbox } from "./outbox.js";

/**
 * Findings that are the same whatever order events come in (the engine's `orderFree`) do not wait
 * for the settle window; the rest of what every event yields still waits and is ordered by event
 * time. The settle window here is ended by hand (`settleWait`), or is minutes long: whatever
 * starts before it ends did not wait for it.
 */

const T0 = Date.parse("2026-03-01T10:00:00Z");
const LONG_SETTLE_MS = 10 * 60_000;
const track = closeLoopsAfterEach();

/** Events whose id starts with `free` yield one order-free finding; the others only what waits. */
const event = testEvent;

function finding(eventId: string): Finding {
  return { detection: "cloudtrail-tampering", category: "logging", eventIds: [eventId] } as unknown as Finding;
}

/** A settle window that ends when the test says so (or the loop stops). */
function handWindow() {
  let end: () => void = () => {};
  let ended = false;
  return {
    wait: (_ms: number, signal: AbortSignal) =>
      new Promise<void>((resolve) => {
        end = () => {
          ended = true;
          resolve();
        };
        if (ended) resolve();
        signal.addEventListener("abort", () => resolve(), { once: true });
      }),
    end: () => end(),
  };
}

interface Recorded {
  /** Events as the engine took them in order: `id` whole, `id (rest)` after its order-free part. */
  ordered: string[];
  /** Events `find` was asked about. */
  looked: string[];
  started: string[];
}

/** A real inbox and outbox on `dir`; an engine that notes what it is asked, in order. */
function setUp(
  dir: string,
  options: { settleMs: number; settleWait?: (ms: number, signal: AbortSignal) => Promise<void> },
  start: (eventId: string) => Promise<void> = async () => {},
) {
  const db = openDetectionDatabase(dir);
  const lock = new AsyncLock();
  const inbox = new EventInbox(db, lock);
  const outbox = new FindingOutbox(db);
  const recorded: Recorded = { ordered: [], looked: [], started: [] };
  const startedWaiters = new Map<string, () => void>();
  const engine: DetectionEngine = {
    process: async () => [],
    processBatch: async (items) => {
      recorded.ordered.push(...items.map((item) => item.id));
      return [];
    },
    finish: async () => [],
    latestTime: undefined,
    orderFree: {
      find: (item) => {
        recorded.looked.push(item.id);
        return item.id.startsWith("free") ? [finding(item.id)] : [];
      },
      processBatch: async (items, found) => {
        recorded.ordered.push(...items.map((item) => (found(item) ? `${item.id} (rest)` : item.id)));
        return [];
      },
    },
  };
  const loop = createDetectionLoop({
    inbox,
    outbox,
    lock,
    createEngine: () => engine,
    start: async (item) => {
      const eventId = item.eventIds[0]!;
      await start(eventId);
      recorded.started.push(eventId);
      startedWaiters.get(eventId)?.();
      return { incidentId: `incident-${eventId}`, started: true };
    },
    batchSize: 500,
    settleMs: options.settleMs,
    ...(options.settleWait ? { settleWait: options.settleWait } : {}),
    retryDelayMs: 1,
    logger: silentLogger,
  });
  inbox.onArrival(() => loop.wake());
  loop.start();
  track({ db, dir, loop });
  const startedOf = (eventId: string) =>
    new Promise<void>((resolve) => {
      if (recorded.started.includes(eventId)) resolve();
      else startedWaiters.set(eventId, resolve);
    });
  return { inbox, outbox, loop, recorded, startedOf };
}

const tempDir = loopDir;

describe("detection loop: order-free findings do not wait for the settle window", () => {
  it("starts an order-free finding while the events around it wait out a ten-minute window", async () => {
    // Arrange
    const { inbox, recorded, startedOf } = setUp(tempDir(), { settleMs: LONG_SETTLE_MS });

    // Act: an event only the settle window orders, then one with an order-free finding.
    await inbox.add([event("ordered", T0 + 1000)], "api");
    await inbox.add([event("free", T0 + 2000)], "api");
    await startedOf("free");

    // Assert: its workflow started; nothing has been through the ordered batch yet.
    expect(recorded.started).toEqual(["free"]);
    expect(recorded.ordered).toEqual([]);
    expect(inbox.backlog().pending).toBe(2);
  });

  it("still takes the rest of every event in event-time order once the window ends", async () => {
    // Arrange
    const window = handWindow();
    const { inbox, loop, recorded, startedOf } = setUp(tempDir(), { settleMs: 50, settleWait: window.wait });

    // Act: three separate deliveries, the earliest event last.
    await inbox.add([event("later", T0 + 2000)], "api");
    await inbox.add([event("free", T0 + 1000)], "api");
    await inbox.add([event("earlier", T0)], "api");
    await startedOf("free");
    const beforeWindowEnds = [...recorded.ordered];
    window.end();
    await loop.drained();

    // Assert: the order-free finding went first, once; the batch saw every event in event-time
    // order, the found one for what is left of it.
    expect(beforeWindowEnds).toEqual([]);
    expect(recorded.ordered).toEqual(["earlier", "free (rest)", "later"]);
    expect(recorded.started).toEqual(["free"]);
    expect(loop.stats()).toMatchObject({ processed: 3, findings: 1, started: 1 });
  });

  it("asks about each arrival once, however many times the loop is woken in the window", async () => {
    // Arrange
    const window = handWindow();
    const { inbox, loop, recorded, startedOf } = setUp(tempDir(), { settleMs: 50, settleWait: window.wait });

    // Act
    await inbox.add([event("a", T0)], "api");
    await inbox.add([event("free-b", T0 + 1)], "api");
    await startedOf("free-b");
    await inbox.add([event("free-c", T0 + 2)], "api");
    await startedOf("free-c");
    window.end();
    await loop.drained();

    // Assert
    expect(recorded.looked).toEqual(["a", "free-b", "free-c"]);
    expect(recorded.ordered).toEqual(["a", "free-b (rest)", "free-c (rest)"]);
  });

  it("after a stop inside the window, a restart takes what was left in order and finds nothing twice", async () => {
    // Arrange: the first run finds `free` and starts its workflow, then stops inside a long window.
    const dir = tempDir();
    const first = setUp(dir, { settleMs: LONG_SETTLE_MS });
    await first.inbox.add([event("later", T0 + 1000)], "api");
    await first.inbox.add([event("free", T0 + 2000)], "api");
    await first.inbox.add([event("earlier", T0)], "api");
    await first.startedOf("free");
    await first.loop.stop();

    // Act: a second process on the same data, no settle window.
    const second = setUp(dir, { settleMs: 0 });
    await second.loop.drained();

    // Assert: nothing was lost or done twice.
    expect(first.recorded.ordered).toEqual([]);
    expect(second.recorded.looked).toEqual([]);
    expect(second.recorded.ordered).toEqual(["earlier", "later", "free (rest)"]);
    expect([...first.recorded.started, ...second.recorded.started]).toEqual(["free"]);
    expect(second.inbox.backlog().pending).toBe(0);
  });

  it("keeps an order-free finding whose workflow did not start queued across a restart, and starts it once", async () => {
    // Arrange: the first run finds `free`, but its workflow cannot start yet (a transient failure).
    const dir = tempDir();
    let failures = 0;
    const first = setUp(dir, { settleMs: LONG_SETTLE_MS }, async (eventId) => {
      if (eventId === "free") {
        failures++;
        throw Object.assign(new Error("database is locked"), { name: "SqliteError" });
      }
    });
    await first.inbox.add([event("free", T0)], "api");
    while (failures === 0) await new Promise((resolve) => setImmediate(resolve));
    await first.loop.stop();
    expect(first.outbox.size()).toBe(1);

    // Act
    const second = setUp(dir, { settleMs: 0 });
    await second.loop.drained();

    // Assert: started once, from the outbox; the event was not asked about again.
    expect(first.recorded.started).toEqual([]);
    expect(second.recorded.started).toEqual(["free"]);
    expect(second.recorded.looked).toEqual([]);
    expect(second.recorded.ordered).toEqual(["free (rest)"]);
    expect(second.outbox.size()).toBe(0);
  });
});

describe("detection loop with the detection engine: which findings wait", () => {
  it("starts a StopLogging record's and a world-open rule's findings at once and keeps a public policy's for the window", async () => {
    // Arrange: the real engine on the loop's own database, a ten-minute window.
    const dir = tempDir();
    const db = openDetectionDatabase(dir);
    const lock = new AsyncLock();
    const inbox = new EventInbox(db, lock);
    const config = parseConfig({});
    const state = new SqliteCorrelationStore(db);
    const started: string[] = [];
    let bothStarted: () => void = () => {};
    const both = new Promise<void>((resolve) => (bothStarted = resolve));
    const loop = createDetectionLoop({
      inbox,
      outbox: new FindingOutbox(db),
      lock,
      createEngine: () => createDetectionEngine({ config, state }),
      start: async (found) => {
        started.push(found.detection);
        if (started.length === 2) bothStarted();
        return { incidentId: found.detection, started: true };
      },
      batchSize: 500,
      settleMs: LONG_SETTLE_MS,
      logger: silentLogger,
    });
    inbox.onArrival(() => loop.wake());
    loop.start();
    track({ db, dir, loop });
    const options = { user: identity.user("alice"), time: "2026-03-01T10:00:00Z" };
    const events = (record: Record<string, unknown>) => normalizeRecords(record).events;

    // Act: a public bucket policy (its finding carries the policy before it: it waits), a
    // world-open SSH rule (a revoke resolves its incident by event time) and a StopLogging call,
    // delivered separately.
    await inbox.add(events(s3("PutBucketPolicy", "reports", { policy: publicReadPolicy("reports") }, options)), "api");
    await inbox.add(
      events(authorizeIngress("sg-0123456789abcdef0", [{ from: 22, to: 22, cidrs: ["0.0.0.0/0"] }], options)),
      "api",
    );
    await inbox.add(events(cloudtrail("StopLogging", { name: "trail" }, options)), "api");
    await both;

    // Assert
    expect(started.sort()).toEqual(["cloudtrail-tampering", "sg-ssh-open-world"]);
    expect(inbox.backlog().pending).toBe(3);
  });
});
