import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { SecurityEvent } from "../../core/model/event.js";
import { type DetectionDatabase, openDetectionDatabase } from "./detection-db.js";
import { EventInbox } from "./inbox.js";
import { AsyncLock } from "./lock.js";
import { SourcePositions } from "./positions.js";

/**
 * The inbox's group commit: adds that arrive while a commit waits or runs are committed together
 * in one transaction, each caller still told its own result, and one member that fails (its
 * `also` throws) neither sinks the others nor lands half-written.
 */

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function event(id: string, epochMs = 1_714_557_600_000): SecurityEvent {
  return { id, epochMs, source: "test", name: "TestEvent" } as unknown as SecurityEvent;
}

/** The detection database on a real file, with its transactions' commits counted. */
function setup() {
  const dir = mkdtempSync(join(tmpdir(), "riposte-inbox-"));
  dirs.push(dir);
  const db = openDetectionDatabase(dir);
  let commits = 0;
  const counted = new Proxy(db, {
    get(target, property) {
      if (property === "transaction") {
        return (fn: (...args: never[]) => unknown) => {
          const transaction = target.transaction(fn);
          return Object.assign((...args: never[]) => transaction(...args), {
            immediate: (...args: never[]) => {
              const result = transaction.immediate(...args);
              commits++;
              return result;
            },
          });
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as DetectionDatabase;
  const lock = new AsyncLock();
  const inbox = new EventInbox(counted, lock);
  const positions = new SourcePositions(db, lock);
  const rows = () =>
    (db.prepare("SELECT event_key FROM inbox ORDER BY seq").all() as { event_key: string }[]).map(
      (r) => r.event_key.split("|")[0],
    );
  return { db, inbox, lock, positions, rows, commits: () => commits };
}

/** Hold the lock (as the detection loop does during a batch) until the returned function is called. */
async function holdLock(lock: AsyncLock): Promise<() => void> {
  let held!: (release: () => void) => void;
  const holding = new Promise<() => void>((resolve) => (held = resolve));
  void lock.run(() => new Promise<void>((release) => held(release)));
  return holding;
}

describe("EventInbox group commit", () => {
  it("commits adds that queue up behind the lock in one transaction, each with its own result", async () => {
    const { inbox, lock, rows, commits } = setup();
    const release = await holdLock(lock);
    const adds = [
      inbox.add([event("a1"), event("a2")], "api"),
      inbox.add([event("b1")], "watch"),
      inbox.add([event("a1"), event("c1")], "api"), // a1 again: a duplicate inside the same group
    ];
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(rows()).toEqual([]); // nothing written while the lock is held
    release();
    const results = await Promise.all(adds);
    expect(results).toEqual([
      { added: 2, duplicates: 0 },
      { added: 1, duplicates: 0 },
      { added: 1, duplicates: 1 },
    ]);
    expect(commits()).toBe(1);
    expect(rows()).toEqual(["a1", "a2", "b1", "c1"]);
    expect(inbox.backlog().pending).toBe(4);
  });

  it("commits an add that arrives during a flush in the next group, not lost", async () => {
    const { inbox, lock, rows, commits } = setup();
    const release = await holdLock(lock);
    const first = inbox.add([event("x1")], "api");
    release();
    // Queued after the first flush began waiting: picked up by the same flush loop.
    const second = inbox.add([event("x2")], "api");
    await expect(Promise.all([first, second])).resolves.toEqual([
      { added: 1, duplicates: 0 },
      { added: 1, duplicates: 0 },
    ]);
    expect(rows()).toEqual(["x1", "x2"]);
    expect(commits()).toBeLessThanOrEqual(2);
    // And a later add still works once the loop has gone idle.
    await expect(inbox.add([event("x3")], "api")).resolves.toEqual({ added: 1, duplicates: 0 });
    expect(rows()).toEqual(["x1", "x2", "x3"]);
  });

  it("a member whose `also` throws is refused alone: the others are committed, it leaves nothing behind", async () => {
    const { inbox, lock, positions, rows } = setup();
    const release = await holdLock(lock);
    const good1 = inbox.add([event("g1")], "watch", () => positions.setNow("watch", "file", { offset: 10 }));
    const bad = inbox.add([event("bad1"), event("bad2")], "sqs", () => {
      positions.setNow("sqs", "cursor", { at: 99 });
      throw new Error("position not writable");
    });
    const good2 = inbox.add([event("g2")], "api");
    release();
    await expect(good1).resolves.toEqual({ added: 1, duplicates: 0 });
    await expect(bad).rejects.toThrow("position not writable");
    await expect(good2).resolves.toEqual({ added: 1, duplicates: 0 });
    expect(rows()).toEqual(["g1", "g2"]);
    expect(positions.get("watch", "file")).toEqual({ offset: 10 });
    expect(positions.get("sqs", "cursor")).toBeUndefined(); // rolled back with its events
    // The failed events can be offered again and are new, not duplicates.
    await expect(inbox.add([event("bad1"), event("bad2")], "sqs")).resolves.toEqual({ added: 2, duplicates: 0 });
  });

  it("tells arrival listeners only when something new was added", async () => {
    const { inbox } = setup();
    let told = 0;
    inbox.onArrival(() => told++);
    await inbox.add([event("n1")], "api");
    expect(told).toBe(1);
    await inbox.add([event("n1")], "api");
    expect(told).toBe(1);
    await inbox.add([], "api");
    expect(told).toBe(1);
  });

  it("keeps what it committed across a reopen of the database", async () => {
    const { db, inbox } = setup();
    await Promise.all([inbox.add([event("p1")], "api"), inbox.add([event("p2")], "api")]);
    const file = db.name;
    db.close();
    const reopened = openDetectionDatabase(join(file, ".."));
    try {
      const again = new EventInbox(reopened, new AsyncLock());
      expect(again.takePending(10).map((entry) => entry.event.id)).toEqual(["p1", "p2"]);
    } finally {
      reopened.close();
    }
  });
});

describe("EventInbox: order-free findings taken early", () => {
  it("lists pending events not yet found, from just before the oldest pending one, and keeps found ones pending", async () => {
    // Arrange: one processed event, then three pending, one of which is found.
    const { inbox } = setup();
    await inbox.add([event("done", 1)], "api");
    const [done] = inbox.takePending(10);
    inbox.markProcessed([done!.seq]);
    await inbox.add([event("p1", 4), event("p2", 2), event("p3", 3)], "api");
    const start = inbox.seqBeforePending();
    const [p1] = inbox.takeUnfound(start, 1);
    inbox.markFound([p1!.seq]);

    // Act
    const unfound = inbox.takeUnfound(start, 10);
    const pending = inbox.takePending(10);

    // Assert: arrival order for the look, event-time order and the mark for the batch.
    expect(start).toBe(done!.seq);
    expect(unfound.map((entry) => entry.event.id)).toEqual(["p2", "p3"]);
    expect(pending.map((entry) => [entry.event.id, entry.found])).toEqual([
      ["p2", false],
      ["p3", false],
      ["p1", true],
    ]);
    expect(inbox.takeUnfound(Math.max(...pending.map((entry) => entry.seq)), 10)).toEqual([]);
  });
});
