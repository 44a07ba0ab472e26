import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../core/config/load.js";
import { silentLogger } from "../../core/log.js";
import { MemoryStore } from "../../core/store/memory.js";
import { SqliteCorrelationStore } from "../../core/store/sqlite/correlation.js";
import type { TaskDeps } from "../../core/task-deps.js";
import { type DetectionDatabase, openDetectionDatabase } from "./detection-db.js";
import { EventInbox } from "./inbox.js";
import { type Jobs, startJobs } from "./jobs.js";
import { AsyncLock } from "./lock.js";

/**
 * The correlation sweep expires state in event time, but an event time is whatever a record
 * says: one record dated 2099 must not expire the windows the next events are counted in.
 */

const NOW = Date.parse("2026-06-01T12:00:00Z");
const LONG_AGO = NOW - 30 * 86_400_000;
const opened: { db: DetectionDatabase; dir: string; jobs: Jobs }[] = [];
afterEach(async () => {
  for (const { db, dir, jobs } of opened.splice(0)) {
    await jobs.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

function setUp(latestEventMs: number, sweepLagMs = 0) {
  const dir = mkdtempSync(join(tmpdir(), "riposte-jobs-"));
  const db = openDetectionDatabase(dir);
  const lock = new AsyncLock();
  const state = new SqliteCorrelationStore(db);
  const deps = { config: parseConfig({}), store: new MemoryStore(), logger: silentLogger, mode: "dry-run" };
  const jobs = startJobs({
    deps: deps as unknown as TaskDeps,
    inbox: new EventInbox(db, lock, () => NOW),
    lock,
    state,
    latestEventMs: () => latestEventMs,
    sweepLagMs,
    everyMs: 3_600_000,
    dedupeMs: 3_600_000,
    logger: silentLogger,
    now: () => NOW,
  });
  opened.push({ db, dir, jobs });
  return { state, jobs };
}

describe("periodic jobs: correlation state expiry", () => {
  it("never expires state ahead of the wall clock, whatever event time was seen", async () => {
    // Arrange: a failed-login count that lives until five minutes from now, and a newest event time of 2099.
    const { state, jobs } = setUp(Date.parse("2099-01-01T00:00:00Z"));
    await state.put("brute-force#alice", { failures: 2 }, { now: NOW, expiresAt: NOW + 300_000 });
    await state.put("brute-force#bob", { failures: 1 }, { now: NOW - 600_000, expiresAt: NOW - 1 });

    // Act
    await jobs.runAll();

    // Assert: the live window stays; what expired before now is gone (read as of long ago, so
    // only a swept item is absent).
    expect(await state.get("brute-force#alice", LONG_AGO)).toMatchObject({ value: { failures: 2 } });
    expect(await state.get("brute-force#bob", LONG_AGO)).toBeUndefined();
  });

  it("expires in event time when events run behind the clock (a replay of old logs)", async () => {
    const { state, jobs } = setUp(NOW - 3_600_000);
    await state.put("replayed", { failures: 1 }, { now: NOW - 3_600_000, expiresAt: NOW - 1_800_000 });
    await state.put("replayed-expired", { failures: 1 }, { now: NOW - 7_200_000, expiresAt: NOW - 3_600_001 });

    await jobs.runAll();

    expect(await state.get("replayed", LONG_AGO)).toMatchObject({ value: { failures: 1 } });
    expect(await state.get("replayed-expired", LONG_AGO)).toBeUndefined();
  });
  it("stays sweepLagMs behind the newest event, so a late event of a shuffled burst finds its window", async () => {
    // Arrange: events up to NOW were processed; a brute-force count from 40 minutes earlier
    // lives until 35 minutes before NOW, and its third failure has not arrived yet.
    const { state, jobs } = setUp(NOW, 3_600_000);
    const earlier = NOW - 40 * 60_000;
    await state.put("brute-force#carol", { failures: 2 }, { now: earlier, expiresAt: earlier + 300_000 });
    await state.put("brute-force#dave", { failures: 1 }, { now: NOW - 7_200_000, expiresAt: NOW - 3_600_001 });

    // Act
    await jobs.runAll();

    // Assert: read at the late event's own time, the window is still there; older ones are swept.
    expect(await state.get("brute-force#carol", earlier + 60_000)).toMatchObject({ value: { failures: 2 } });
    expect(await state.get("brute-force#dave", LONG_AGO)).toBeUndefined();
  });
});
