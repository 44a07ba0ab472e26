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
 * Findings that are the same whatever order events come in (most stateless detections': the
 * engine's `orderFree`) are taken as soon as their event is in the inbox, even while the loop
 * waits `settleMs` before a batch; their events stay pending, marked found, and the batch gives
 * the rest of what they yield (state, timers, stateful findings) in event-time order as before.
 * The findings and the mark commit together, so a replay never finds them twice.
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
  /**
   * Wait this long after being woken before taking a batch, so that events delivered separately
   * but close together are detected in event-time order; order-free findings do not wait.
   */
  settleMs: number;
  /** How the settle window is waited out (default a timer; tests end it by hand). Ends early on `signal`. */
  settleWait?: (ms: number, signal: AbortSignal) => Promise<void>;
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
  /** The last inbox entry looked at for order-free findings (arrivals are numbered upwards). */
  let scannedSeq: number | undefined;
  /** Events arrived since the loop last looked for order-free findings. */
  let unseen = false;
  /** Called when events arrive while the loop waits out `settleMs`. */
  let arrived: (() => void) | undefined;
  const stopped = new AbortController();

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
        const events = entries.map((entry) => entry.event);
        const found = new Set(entries.filter((entry) => entry.found).map((entry) => entry.event));
        const findings = markFromIntake(
          await (engine.orderFree && found.size > 0
            ? engine.orderFree.processBatch(events, (event) => found.has(event))
            : engine.processBatch(events)),
          posted,
        );
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
   * Take the order-free findings of the events that arrived since the last look, at once, into
   * the outbox, their events marked found in the same commit (they stay pending for the batch).
   * Nothing here changes the engine's state or clock. On any failure the events are left as they
   * were, and the batch finds everything they yield.
   */
  function findOrderFree(): Promise<void> {
    const orderFree = engine.orderFree;
    if (!orderFree) return Promise.resolve();
    return lock.run(() => {
      // Not from the first entry kept: processed ones stay for a day, to recognise repeats.
      scannedSeq ??= inbox.seqBeforePending();
      for (;;) {
        const entries = inbox.takeUnfound(scannedSeq, options.batchSize);
        if (entries.length === 0) return;
        scannedSeq = entries[entries.length - 1]!.seq;
        const found: number[] = [];
        const findings: Finding[] = [];
        const posted = new Set<string>();
        for (const entry of entries) {
          let own: Finding[];
          try {
            own = orderFree.find(entry.event);
          } catch (error) {
            // The batch meets it again, with its retries and dead letters.
            logger.warn("order-free detection failed; the event waits for its batch", {
              eventId: entry.event.id,
              error,
            });
            continue;
          }
          if (own.length === 0) continue;
          found.push(entry.seq);
          findings.push(...own);
          if (entry.source === INTAKE_SOURCE) for (const key of eventKeys(entry.event)) posted.add(key);
        }
        if (found.length === 0) continue;
        try {
          db.transaction(() => {
            outbox.put(markFromIntake(findings, posted));
            inbox.markFound(found);
          }).immediate();
        } catch (error) {
          logger.warn("order-free findings not saved; their events wait for their batch", { error });
          return;
        }
        stats.findings += findings.length;
      }
    });
  }

  /** Wait out `settleMs`, taking the order-free findings of what arrives meanwhile at once. */
  async function settleWindow(): Promise<void> {
    let over = false;
    const window = (options.settleWait ?? pause)(options.settleMs, stopped.signal).then(() => {
      over = true;
    });
    while (!over && !stopping) {
      if (!unseen) await Promise.race([window, new Promise<void>((resolve) => (arrived = resolve))]);
      arrived = undefined;
      if (over || stopping) break;
      unseen = false;
      await findOrderFree();
      await startQueued();
    }
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
      if (options.settleMs > 0) {
        unseen = false;
        await findOrderFree();
        await startQueued();
        await settleWindow();
      }
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
    unseen = true;
    arrived?.();
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
      // A settle window ends now: what it held stays pending (durable) for the next start.
      stopped.abort();
      await running;
      // Findings of the last committed batch still get their executions (persisted, resumable).
      await startQueued();
      settle();
    },
    stats: () => ({ ...stats }),
  };
}
