import type { DetectionEngine } from "../../core/engine/engine.js";
import { eventKeys, INTAKE_SOURCE, markFromIntake } from "../../core/incidents/intake.js";
import type { Logger } from "../../core/log.js";
import type { Finding } from "../../core/model/incident.js";
import { describe, pause } from "../sources/source.js";
import type { EventInbox } from "./inbox.js";
import type { AsyncLock } from "./lock.js";
import type { FindingOutbox } from "./outbox.js";
import { isPermanentStartError } from "./start-errors.js";

/**
 * The one detection loop of `riposte serve`. It takes pending events from the inbox in event-time
 * order, runs them through the detection engine inside one transaction of the detection database
 * — the correlation state they change, the findings they produce (into the outbox) and their
 * "processed" mark commit together or not at all — and then starts a workflow per finding, named
 * after its incident id. A crash at any point replays at most the uncommitted batch, whose
 * correlation writes were rolled back with it, and a finding started twice starts nothing.
 *
 * A batch that fails is rolled back and retried one event at a time; an event the engine keeps
 * failing on is set aside (dead-lettered, logged), so one bad record never stops the loop. A
 * database failure (disk full, I/O error) sets nothing aside: the loop retries until it clears.
 * Likewise a finding whose workflow can never start (input over the 256 KiB quota, invalid) is
 * dead-lettered in the outbox with the reason and the findings behind it start; a transient start
 * failure keeps it queued and is retried with backoff.
 */

export interface DetectionLoopOptions {
  inbox: EventInbox;
  outbox: FindingOutbox;
  lock: AsyncLock;
  /** A fresh engine; called at start and after a rolled-back batch (its caches may be stale). */
  createEngine: () => DetectionEngine;
  /** Start a finding's workflow (idempotent on the incident id). */
  start: (finding: Finding) => Promise<{ incidentId: string; started: boolean }>;
  /**
   * Resolves once the executions started so far survive a power cut (the store's sync point);
   * findings leave the outbox only then. Without it (tests on memory stores) they leave at once.
   */
  durable?: () => Promise<void>;
  batchSize: number;
  /** Wait this long after being woken before taking a batch. */
  settleMs: number;
  logger: Logger;
  /** Failures of a single event before it is set aside (default 3). */
  maxAttempts?: number;
  /** Pause before retrying after a failure (default 1 s, doubling up to 30 s). */
  retryDelayMs?: number;
}

export interface DetectionLoopStats {
  processed: number;
  findings: number;
  started: number;
  /** Events set aside since start (the engine kept failing on them). */
  deadLettered: number;
  /** Findings set aside since start (their workflow can never start). */
  deadLetteredFindings: number;
  /** Newest event time processed (epoch ms): correlation state expires relative to it. */
  latestEventMs?: number;
  lastError?: string;
}

export interface DetectionLoop {
  /** Start working: findings left in the outbox first, then pending events. */
  start(): void;
  /** Look for new events (the inbox calls this on arrival). */
  wake(): void;
  /** Resolves once nothing is pending or waiting to start (tests, benchmarks). */
  drained(): Promise<void>;
  /** Finish the batch in progress and start its workflows, then stop. */
  stop(): Promise<void>;
  stats(): DetectionLoopStats;
}

class DatabaseFailure extends Error {
  override name = "DatabaseFailure";
}

const isDatabaseError = (error: unknown) => (error as { name?: string } | null)?.name === "SqliteError";

export function createDetectionLoop(options: DetectionLoopOptions): DetectionLoop {
  const { inbox, outbox, lock, logger } = options;
  const db = inbox.database;
  const maxAttempts = options.maxAttempts ?? 3;
  const baseDelay = options.retryDelayMs ?? 1000;
  const stats: DetectionLoopStats = {
    processed: 0,
    findings: 0,
    started: 0,
    deadLettered: 0,
    deadLetteredFindings: 0,
  };
  let engine = options.createEngine();
  let running: Promise<void> | undefined;
  let again = false;
  let stopping = false;
  /** Events still to take one at a time after a failed batch. */
  let isolate = 0;
  let attempts = 0;
  let drainWaiters: (() => void)[] = [];

  type Outcome = "empty" | "committed" | "failed";

  function failed(error: unknown): Outcome {
    stats.lastError = describe(error);
    return "failed";
  }

  /** One batch, alone on the detection database: all of it commits, or none of it. */
  function detectBatch(): Promise<Outcome> {
    return lock.run(async (): Promise<Outcome> => {
      const entries = inbox.takePending(isolate > 0 ? 1 : options.batchSize);
      if (entries.length === 0) return "empty";
      const seqs = entries.map((entry) => entry.seq);
      db.exec("BEGIN IMMEDIATE");
      try {
        const posted = new Set(
          entries.filter((entry) => entry.source === INTAKE_SOURCE).flatMap((entry) => eventKeys(entry.event)),
        );
        const findings = markFromIntake(await engine.processBatch(entries.map((entry) => entry.event)), posted);
        outbox.put(findings);
        inbox.markProcessed(seqs);
        db.exec("COMMIT");
        stats.processed += entries.length;
        stats.findings += findings.length;
        const newest = Math.max(...entries.map((entry) => entry.event.epochMs));
        if (stats.latestEventMs === undefined || newest > stats.latestEventMs) stats.latestEventMs = newest;
        if (isolate > 0) isolate -= entries.length;
        attempts = 0;
        stats.lastError = undefined;
        return "committed";
      } catch (error) {
        if (db.inTransaction) db.exec("ROLLBACK");
        // The engine's caches may hold what was just rolled back.
        engine = options.createEngine();
        attempts++;
        logger.warn("detection batch rolled back", { events: entries.length, attempt: attempts, error });
        if (isDatabaseError(error)) return failed(new DatabaseFailure(describe(error)));
        if (entries.length > 1) {
          isolate = entries.length;
          attempts = 0;
          return failed(error);
        }
        if (attempts >= maxAttempts) {
          // One event the engine cannot get through: set it aside so the rest can flow.
          inbox.markProcessed(seqs, describe(error));
          stats.deadLettered++;
          attempts = 0;
          isolate = Math.max(0, isolate - 1);
          logger.error("event set aside after repeated detection failures", {
            eventId: entries[0]!.event.id,
            source: entries[0]!.source,
            error,
          });
          return "committed";
        }
        return failed(error);
      }
    });
  }

  /**
   * Start the workflows of queued findings. A permanent failure sets that finding aside and goes
   * on; a transient one leaves it and the rest queued for the next round. Those started leave the
   * outbox together (one commit), once their executions are durable.
   */
  async function startQueued(): Promise<boolean> {
    const started: string[] = [];
    let all = true;
    for (const { incidentId, finding } of outbox.list()) {
      try {
        const outcome = await options.start(finding);
        if (outcome.started) stats.started++;
        logger.info(outcome.started ? "workflow started" : "workflow already exists", {
          incidentId,
          detection: finding.detection,
        });
        started.push(incidentId);
      } catch (error) {
        if (isPermanentStartError(error)) {
          await lock.run(() => outbox.deadLetter(incidentId, describe(error)));
          stats.deadLetteredFindings++;
          logger.error("finding set aside: its workflow can never start", {
            incidentId,
            detection: finding.detection,
            error,
          });
          continue;
        }
        stats.lastError = describe(error);
        logger.warn("workflow not started; it stays queued", { incidentId, error });
        all = false;
        break;
      }
    }
    if (started.length === 0) return all;
    try {
      await options.durable?.();
    } catch (error) {
      // Started but not yet known durable: they stay queued, and starting them again starts nothing.
      stats.lastError = describe(error);
      logger.warn("started workflows not yet durable; their findings stay queued", { error });
      return false;
    }
    await lock.run(() => outbox.remove(started));
    return all;
  }

  async function pump(): Promise<void> {
    let delay = baseDelay;
    while (again && !stopping) {
      again = false;
      if (options.settleMs > 0) await pause(options.settleMs);
      let outcome: Outcome = "committed";
      while (!stopping && outcome !== "empty") {
        outcome = await detectBatch();
        const startedAll = await startQueued();
        if (outcome === "failed" || !startedAll) {
          again = true;
          await pause(delay);
          delay = Math.min(delay * 2, 30_000);
          break;
        }
        delay = baseDelay;
      }
    }
  }

  function settle(): void {
    if (running) return;
    const waiters = drainWaiters;
    drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  function wake(): void {
    again = true;
    if (running || stopping) return;
    running = pump()
      .catch((error: unknown) => {
        stats.lastError = describe(error);
        logger.error("detection loop failed", { error });
      })
      .finally(() => {
        running = undefined;
        if (again && !stopping) wake();
        else settle();
      });
  }

  return {
    start: wake,
    wake,
    drained() {
      const idle = () => !running && inbox.backlog().pending === 0 && outbox.size() === 0;
      if (idle()) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const check = () => {
          if (idle()) resolve();
          else {
            drainWaiters.push(check);
            wake();
          }
        };
        drainWaiters.push(check);
        wake();
      });
    },
    async stop() {
      stopping = true;
      await running;
      // Findings of the last committed batch still get their executions (persisted, resumable).
      await startQueued();
      settle();
    },
    stats: () => ({ ...stats }),
  };
}
