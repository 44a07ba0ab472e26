import { randomUUID } from "node:crypto";
import { normalizeRecords } from "../../core/events/index.js";
import type { IncidentStore } from "../../core/store/ports.js";
import { type EventSource, newestOf, pause, type SourceContext, SourceHealth } from "../sources/source.js";
import { type DemoStep, demoStoryline } from "./storyline.js";

/**
 * Replays the demo storyline into the inbox, paced over `durationMs`, as an event source: its
 * position (run id, virtual end time, next step) is persisted with each step's events, so a
 * restart in the middle carries on where it stopped and never posts a step twice. A new run
 * starts only when `shouldStart` says so (`riposte serve` asks whether the store is empty).
 */

export const DEMO_SOURCE = "demo";
const POSITION_KEY = "run";
/** How long a scripted decision waits for its incident to reach the approval gate. */
const DECISION_WAIT_MS = 30_000;

export interface DemoRun {
  runId: string;
  /** Virtual time of the story's last event (epoch ms). */
  endsAt: number;
  /** Wall-clock start of the replay (epoch ms), for pacing. */
  startedAt: number;
  /** The next step to play. */
  next: number;
}

export interface DemoDecision {
  incidentId: string;
  decision: "approve" | "reject";
  comment: string;
}

export interface DemoSourceOptions extends SourceContext {
  durationMs: number;
  shouldStart: () => Promise<boolean>;
  /** Finds the incident a scripted decision is about. */
  store: Pick<IncidentStore, "listIncidents">;
  /** Decides an approval (the dashboard's path, with the approver "demo (scripted)"). */
  decide: (decision: DemoDecision) => Promise<unknown>;
}

export interface DemoSource extends EventSource {
  /** Resolves when the replay has ended (finished, stopped, or nothing to play). */
  finished(): Promise<void>;
}

export function createDemoSource(options: DemoSourceOptions): DemoSource {
  const health = new SourceHealth(DEMO_SOURCE, options.now);
  const logger = options.logger.child({ source: DEMO_SOURCE });
  const abort = new AbortController();
  let running: Promise<void> = Promise.resolve();

  async function decide(step: Extract<DemoStep, { kind: "decide" }>): Promise<void> {
    const deadline = options.now() + DECISION_WAIT_MS;
    while (!abort.signal.aborted && options.now() < deadline) {
      const { items } = await options.store.listIncidents({ status: ["AWAITING_APPROVAL"], limit: 200 });
      const incident = items.find(
        (item) => item.detection === step.detection && item.principal.includes(step.principal),
      );
      if (incident) {
        await options.decide({ incidentId: incident.id, decision: step.decision, comment: step.comment });
        logger.info("demo decision taken", { incidentId: incident.id, decision: step.decision });
        return;
      }
      await pause(500, abort.signal);
    }
    if (!abort.signal.aborted)
      logger.warn("demo decision skipped: its incident never waited for approval", { step: step.title });
  }

  async function play(run: DemoRun): Promise<void> {
    const steps = demoStoryline(run.runId, run.endsAt);
    for (let index = run.next; index < steps.length && !abort.signal.aborted; index++) {
      const step = steps[index]!;
      const due = run.startedAt + step.at * options.durationMs;
      await pause(Math.max(0, due - options.now()), abort.signal);
      if (abort.signal.aborted) return;
      const position: DemoRun = { ...run, next: index + 1 };
      if (step.kind === "records") {
        const { events, errors } = normalizeRecords(step.records, DEMO_SOURCE);
        if (errors.length > 0) logger.error("demo records did not normalize", { step: step.title, errors });
        await options.inbox.add(events, DEMO_SOURCE, () =>
          options.positions.setNow(DEMO_SOURCE, POSITION_KEY, position),
        );
        health.delivered(newestOf(events));
        logger.info("demo step", { step: index + 1, of: steps.length, title: step.title, events: events.length });
      } else {
        try {
          await decide(step);
        } catch (error) {
          // A person may have decided first: the demo moves on.
          logger.warn("demo decision not taken", { step: step.title, error });
        }
        if (abort.signal.aborted) return;
        await options.positions.set(DEMO_SOURCE, POSITION_KEY, position);
      }
    }
    if (!abort.signal.aborted) logger.info("demo storyline finished");
  }

  /**
   * A run stopped part-way keeps its pacing when it carries on: the schedule moves so that the
   * next step is due now, instead of every step that fell due while it was stopped arriving at once.
   */
  function resumed(run: DemoRun): DemoRun {
    const next = demoStoryline(run.runId, run.endsAt)[run.next];
    if (!next) return run;
    const now = options.now();
    if (run.startedAt + next.at * options.durationMs >= now) return run;
    return { ...run, startedAt: now - next.at * options.durationMs };
  }

  async function begin(): Promise<void> {
    let run = options.positions.get<DemoRun>(DEMO_SOURCE, POSITION_KEY);
    if (!run) {
      if (!(await options.shouldStart())) return;
      const now = options.now();
      run = { runId: randomUUID(), endsAt: now, startedAt: now, next: 0 };
      await options.positions.set(DEMO_SOURCE, POSITION_KEY, run);
      logger.info("demo storyline starting", { seconds: options.durationMs / 1000 });
    } else {
      run = resumed(run);
      logger.info("demo storyline resuming", { step: run.next + 1, seconds: options.durationMs / 1000 });
    }
    await play(run);
  }

  return {
    name: DEMO_SOURCE,
    start() {
      running = begin().catch((error: unknown) => {
        health.failed(error);
        logger.error("demo storyline stopped", { error });
      });
    },
    async stop() {
      abort.abort();
      await running;
    },
    finished: () => running,
    status: () => health.status(),
  };
}
