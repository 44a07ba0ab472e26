import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../core/log.js";
import { MemoryStore } from "../../core/store/memory.js";
import type { RiposteStore } from "../../core/store/ports.js";
import { SqliteCorrelationStore } from "../../core/store/sqlite/correlation.js";
import type { TaskDeps } from "../../core/task-deps.js";
import { createNoticesHandler } from "../../functions/scheduled/notices.js";
import { openDetectionDatabase } from "../../local/runtime/detection-db.js";
import { EventInbox } from "../../local/runtime/inbox.js";
import { startJobs } from "../../local/runtime/jobs.js";
import { AsyncLock } from "../../local/runtime/lock.js";
import { makeDeps } from "./fixtures.js";

/**
 * The scheduled notices run in one order wherever they run: approvals expire, then saved
 * decisions are resumed, then failed notices are redelivered (so a redelivered message already
 * shows the timeout). Each step's first store read is recorded, and when it has returned; the
 * expiry's read answers only after a few turns of the event loop, so a step started alongside it
 * instead of after it shows up in the order.
 */

const STEPS = { listPendingApprovals: "expire", listApprovalsToResume: "resume", listIncidents: "redeliver" } as const;

function recording(store: RiposteStore, log: string[]): RiposteStore {
  return new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      const step = STEPS[name as keyof typeof STEPS];
      if (!step || typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        log.push(`${step} starts`);
        if (step === "expire") for (let turn = 0; turn < 5; turn++) await new Promise((done) => setImmediate(done));
        const result = await value.apply(target, args);
        log.push(`${step} read`);
        return result;
      };
    },
  });
}

const IN_ORDER = ["expire starts", "expire read", "resume starts", "resume read", "redeliver starts", "redeliver read"];

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("the scheduled notices", () => {
  it("on AWS: expiry, then resumed decisions, then redelivery", async () => {
    const log: string[] = [];
    const deps = makeDeps();
    const handler = createNoticesHandler(async () => ({ ...deps, store: recording(deps.store, log) }));

    await handler();

    expect(log).toEqual(IN_ORDER);
  });

  it("in riposte serve: the same order, not steps racing each other", async () => {
    const log: string[] = [];
    const deps: TaskDeps = { ...makeDeps(), store: recording(new MemoryStore(), log) };
    const dir = mkdtempSync(join(tmpdir(), "riposte-notices-"));
    dirs.push(dir);
    const db = openDetectionDatabase(dir);
    const lock = new AsyncLock();
    const jobs = startJobs({
      deps,
      inbox: new EventInbox(db, lock, () => Date.now()),
      lock,
      state: new SqliteCorrelationStore(db),
      latestEventMs: () => undefined,
      sweepLagMs: 0,
      everyMs: 3_600_000,
      dedupeMs: 3_600_000,
      logger: silentLogger,
    });
    try {
      await jobs.runAll();
    } finally {
      await jobs.stop();
      db.close();
    }

    expect(log).toEqual(IN_ORDER);
  });
});
