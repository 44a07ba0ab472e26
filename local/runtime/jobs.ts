import type { CorrelationStore } from "../../core/correlation/store.js";
import { runNoticeRound } from "../../core/interaction/notices.js";
import type { Logger } from "../../core/log.js";
import { scheduleSweep } from "../../core/remediation/sweep.js";
import type { TaskDeps } from "../../core/task-deps.js";
import type { EventInbox } from "./inbox.js";
import type { AsyncLock } from "./lock.js";

/**
 * The periodic work of `riposte serve`, each on its own timer that stops on shutdown: the notices
 * (`runNoticeRound`: closing approvals nobody answered, announcing time-boxed exceptions that expired,
 * finishing decisions saved but never sent, then redelivering notices Slack or SNS missed, as the
 * Notices schedule on AWS), removing expired
 * temporary denies (live mode), expiring correlation state (in event time, never ahead of the
 * wall clock: one future-dated event must not expire the windows of the events after it) and forgetting
 * processed events past the dedupe window. A run never overlaps the previous one of its job,
 * and a failure is logged, never thrown.
 */

export interface JobsOptions {
  deps: TaskDeps;
  inbox: EventInbox;
  lock: AsyncLock;
  state: CorrelationStore;
  /** Newest event time processed (correlation state expires in event time). */
  latestEventMs: () => number | undefined;
  /**
   * How far behind the newest event an event may still arrive and find its windows: events are
   * processed as they come, not sorted across deliveries, so the sweep (garbage collection, never
   * a verdict: reads judge expiry by each event's own time) stays this far behind.
   */
  sweepLagMs: number;
  everyMs: number;
  dedupeMs: number;
  logger: Logger;
  /** The wall clock, epoch ms (tests move it). */
  now?: () => number;
}

export interface Jobs {
  /** Run every job once now (start-up, tests). */
  runAll(): Promise<void>;
  stop(): Promise<void>;
}

interface Job {
  name: string;
  run(): Promise<unknown>;
}

/**
 * Where the correlation sweep expires state up to: the newest event time processed, but never
 * past the wall clock, since an event time is whatever the record says, and `lagMs` behind that,
 * so an event that arrives late (a shuffled burst, a slow source) still finds its windows.
 */
export function sweepTime(latestEventMs: number, nowMs: number, lagMs: number): number {
  return Math.min(latestEventMs, nowMs) - lagMs;
}

export function startJobs(options: JobsOptions): Jobs {
  const { deps, logger, now = Date.now } = options;
  const jobs: Job[] = [
    // Expiry before redelivery, as on AWS: one round, not two jobs racing each other.
    { name: "notices", run: () => runNoticeRound(deps) },
    {
      name: "expire correlation state",
      run: async () => {
        const latest = options.latestEventMs();
        if (latest === undefined) return 0;
        return options.lock.run(() => options.state.sweep(sweepTime(latest, now(), options.sweepLagMs)));
      },
    },
    { name: "forget old events", run: () => options.inbox.prune(options.dedupeMs) },
  ];
  const inFlight = new Map<string, Promise<unknown>>();

  function runJob(job: Job): Promise<unknown> {
    const current = inFlight.get(job.name);
    if (current) return current;
    const run = job
      .run()
      .catch((error: unknown) => logger.warn("periodic job failed", { job: job.name, error }))
      .finally(() => inFlight.delete(job.name));
    inFlight.set(job.name, run);
    return run;
  }

  const timer = setInterval(() => {
    for (const job of jobs) void runJob(job);
  }, options.everyMs);
  timer.unref();
  // The sweep of expired changes has its own timer (it is a no-op unless remediation is live).
  const stopSweep = scheduleSweep(deps, options.everyMs);

  return {
    async runAll() {
      await Promise.all(jobs.map(runJob));
    },
    async stop() {
      clearInterval(timer);
      stopSweep();
      await Promise.all(inFlight.values());
    },
  };
}
