import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../core/log.js";
import { openDetectionDatabase } from "../runtime/detection-db.js";
import { EventInbox } from "../runtime/inbox.js";
import { AsyncLock } from "../runtime/lock.js";
import { SourcePositions } from "../runtime/positions.js";
import { createDemoSource, DEMO_SOURCE, type DemoRun, type DemoSource } from "./player.js";
import { demoStoryline } from "./storyline.js";

/**
 * The demo player resumed after a stop part-way (Ctrl-C, a crash): it carries on from its
 * persisted step and keeps its pacing, rather than posting every step that fell due meanwhile at
 * once. The steps are far apart (a ten-minute demo: at least 24 s between steps), so "the next
 * step is not there yet" does not depend on the machine's speed.
 */

const DURATION_MS = 600_000;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup(run: DemoRun) {
  const dir = mkdtempSync(join(tmpdir(), "riposte-demo-"));
  const db = openDetectionDatabase(dir);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => {
    db.close();
  });
  const lock = new AsyncLock();
  const inbox = new EventInbox(db, lock);
  const positions = new SourcePositions(db, lock);
  positions.setNow(DEMO_SOURCE, "run", run);
  const source: DemoSource = createDemoSource({
    inbox,
    positions,
    logger: silentLogger,
    now: Date.now,
    durationMs: DURATION_MS,
    shouldStart: async () => {
      throw new Error("a run in progress must not ask whether to start a new one");
    },
    store: { listIncidents: async () => ({ items: [] }) } as never,
    decide: async () => undefined,
  });
  cleanups.push(() => source.stop());
  const eventIds = () =>
    (db.prepare("SELECT event_key FROM inbox ORDER BY seq").all() as { event_key: string }[]).map(
      (row) => row.event_key.split("|")[0],
    );
  return { source, positions, eventIds };
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("demo player resumed after a stop", () => {
  const runId = "3c2b1a00-demo-resume-test";
  const endsAt = Date.parse("2026-11-01T12:00:00Z");
  const steps = demoStoryline(runId, endsAt);
  // The first records step after the opening ones, with at least one more step after it.
  const next = steps.findIndex((step, index) => index >= 2 && step.kind === "records" && index < steps.length - 1);

  it("posts the step it stopped before, then waits for the next one's turn", async () => {
    const step = steps[next]!;
    if (step.kind !== "records") throw new Error("expected a records step");
    // Started an hour ago: every remaining step is long overdue on the old schedule.
    const startedAt = Date.now() - 3_600_000;
    const { source, positions, eventIds } = setup({ runId, endsAt, startedAt, next });
    source.start();

    const ids = await until("the resumed step's events", () => {
      const rows = eventIds();
      return rows.length >= step.records.length ? rows : undefined;
    });
    // Let any step that (wrongly) fell due at the same time land too.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(eventIds()).toEqual(ids);
    expect(ids).toHaveLength(step.records.length);
    const position = positions.get<DemoRun>(DEMO_SOURCE, "run")!;
    expect(position.next).toBe(next + 1);
    expect(position.runId).toBe(runId);
    expect(position.endsAt).toBe(endsAt);
    // The schedule moved to now: the following step is due a full step gap from here.
    const following = steps[next + 1]!;
    expect(position.startedAt + following.at * DURATION_MS).toBeGreaterThan(Date.now());
  });

  it("keeps the original schedule when the next step is not yet due", async () => {
    // Stopped and restarted within the first step's gap: nothing is pulled earlier.
    const startedAt = Date.now();
    const { source, positions, eventIds } = setup({ runId, endsAt, startedAt, next: 1 });
    source.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(eventIds()).toEqual([]);
    expect(positions.get<DemoRun>(DEMO_SOURCE, "run")).toEqual({ runId, endsAt, startedAt, next: 1 });
  });
});
