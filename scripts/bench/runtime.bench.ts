/**
 * The local runtime under load: 1,000 incidents, each routed to automatic remediation
 * (dry-run), timed from intake to the final status appearing in the store's change stream.
 *
 *  - "serve path": what `riposte serve` runs (`startRuntime`: a temporary data directory, no
 *    demo, dry-run, port 0). Each raw CloudTrail record (a security group opened to the world, a
 *    bucket policy made public, CloudTrail logging stopped, in turn) is one `POST /api/events`
 *    over 127.0.0.1; it goes through the durable inbox (fsynced before the 202), the detection
 *    loop and the workflows with the real task handlers into the SQLite store (WAL, `synchronous:
 *    "full"`: fsynced at sync points, see core/store/sqlite/sync-points.ts). Intake is the moment
 *    the POST is sent; the 202's own latency is shown as "accepted". Run with the default
 *    `runtime.settleMs` (50 ms, the loop's wait before each batch) and with 0, to show what that
 *    wait costs.
 *  - baseline "detection → workflows": the same records through the detection engine and the
 *    workflows directly, without HTTP, inbox or detection loop. Intake is the record's arrival.
 *  - baseline "engine alone": findings straight into the same workflows, every function
 *    answering a recorded answer at once, in-memory stores: what the interpreter itself costs
 *    (JSONata, history, checkpoints). Intake is the workflow start.
 *
 * Each runs a burst (all 1,000 at once, for the serve path 1,000 POSTs over 64 keep-alive
 * connections: throughput) and then a steady stream (latency p50/p99 while the runtime keeps
 * up): at half the serve path's burst throughput for the first three, so their latencies
 * compare, and at half its own for the engine alone. Nothing may be lost: every
 * incident must reach MITIGATED and every execution SUCCEEDED (the serve path turns
 * `remediation.autoRemediateIntake` on: posted events otherwise wait for approval). The end prints
 * the serve path's burst throughput as a ratio of the engine alone's, with the core count.
 * `npm run bench -- runtime`; `BENCH_RUNTIME_INCIDENTS=200` for a shorter run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { Agent } from "node:http";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseConfig } from "../../core/config/load.js";
import type { RiposteConfig } from "../../core/config/schema.js";
import { createDetectionEngine } from "../../core/engine/engine.js";
import { normalizeRecords } from "../../core/events/index.js";
import type { Finding } from "../../core/model/incident.js";
import { isFinalStatus } from "../../core/model/status.js";
import { TASK_NAMES, type TaskName } from "../../core/model/tasks.js";
import { MemoryStore } from "../../core/store/memory.js";
import { MemoryExecutionStore } from "../../core/store/memory-executions.js";
import type { ExecutionStore, RiposteStore } from "../../core/store/ports.js";
import { SqliteCorrelationStore } from "../../core/store/sqlite/correlation.js";
import { openSqliteStore } from "../../core/store/sqlite/store.js";
import type { LocalFunction } from "../../local/interpreter/integrations.js";
import type { Runtime } from "../../local/runtime/runtime.js";
import { localFunctionName } from "../../local/runtime/tasks.js";
import { createLocalWorkflowEngine } from "../../local/runtime/workflow-engine.js";
import { FINDINGS } from "../../test/workflows/fixtures.js";
import { benchRecords, benchTaskDeps, postRecord, startBenchServe } from "./runtime-records.js";
import { percentile } from "./stats.js";

const INCIDENTS = Number(process.env.BENCH_RUNTIME_INCIDENTS ?? 1_000);
const PRINCIPALS = 50;
const _TOKEN = "bench-runtime-token-0123456789abcdef";
/** The detection loop's wait before each batch unless configured (`runtime.settleMs`). */
const DEFAULT_SETTLE_MS = parseConfig({}).runtime.settleMs;
/** How long the serve path may take to finish a phase's incidents after the last POST was answered. */
const FINISH_TIMEOUT_MS = 120_000;

/** How an incident enters: the item the batch holds, and what turns it into workflow starts. */
type Intake = (
  item: unknown,
  start: (finding: Finding) => Promise<{ incidentId: string; executionArn: string }>,
) => Promise<{ incidentId: string; executionArn: string }[]>;

interface Setup {
  name: string;
  store: RiposteStore;
  executions: ExecutionStore;
  handlers?: Partial<Record<TaskName, LocalFunction>>;
  /** The batch of `count` items (records or findings). */
  items(count: number, batch: string): unknown[];
  intake: Intake;
  close(): void;
}

/** Batches an hour apart in event time, from accounts of their own (see `benchRecords`). */
const BATCHES: Record<string, number> = { "warm-up": 0, burst: 1, steady: 2 };

function records(count: number, batch: string): unknown[] {
  return benchRecords(count, BATCHES[batch] ?? 3, batch);
}

function runtimeSetup(synchronous: "full" | "normal"): Setup {
  const dir = mkdtempSync(join(tmpdir(), "riposte-bench-runtime-"));
  const sqlite = openSqliteStore({ dataDir: dir, synchronous });
  const config: RiposteConfig = parseConfig({});
  const detection = createDetectionEngine({ config, state: new SqliteCorrelationStore(sqlite.db) });
  // One engine, events in arrival order: detection is serialised, as the runtime's intake does.
  let queue: Promise<unknown> = Promise.resolve();
  const detect = (record: unknown) => {
    const found = queue.then(async () => {
      const all = [];
      for (const event of normalizeRecords(record).events) all.push(...(await detection.process(event)));
      return all;
    });
    queue = found.catch(() => {});
    return found;
  };
  return {
    name: `baseline, detection → workflows (no HTTP, inbox or detection loop): CloudTrail records, real handlers, SQLite store (WAL, synchronous: ${synchronous})`,
    store: sqlite,
    executions: sqlite,
    items: records,
    async intake(record, start) {
      return Promise.all((await detect(record)).map(start));
    },
    close() {
      sqlite.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every function's answer from one real run, replayed; record answers with the status it is asked for. */
async function recordedAnswers(): Promise<Partial<Record<TaskName, LocalFunction>>> {
  const engine = createLocalWorkflowEngine({
    deps: benchTaskDeps(new MemoryStore()),
    executions: new MemoryExecutionStore(),
  });
  const { executionArn } = await engine.startFinding({ ...FINDINGS.network, eventIds: ["bench-recording"] });
  await engine.interpreter.waitForExecution(executionArn);
  const answers = new Map<string, unknown>();
  let calling = "";
  for (const event of await engine.interpreter.getExecutionHistory(executionArn)) {
    const scheduled = event.taskScheduledEventDetails as { parameters?: string } | undefined;
    const succeeded = event.taskSucceededEventDetails as { output?: string } | undefined;
    if (scheduled?.parameters) calling = String(JSON.parse(scheduled.parameters).FunctionName).split(":").at(-1) ?? "";
    if (succeeded?.output) answers.set(calling, JSON.parse(succeeded.output).Payload);
  }
  return Object.fromEntries(
    TASK_NAMES.map((task) => {
      const recorded = answers.get(localFunctionName(task));
      const fn: LocalFunction =
        task === "record"
          ? async (payload) => ({ ...(recorded as object), ...(payload as { incidentId: string; status: string }) })
          : async () => recorded;
      return [task, fn];
    }),
  );
}

async function engineAloneSetup(): Promise<Setup> {
  return {
    name: "engine alone: findings, recorded answers, in-memory stores",
    store: new MemoryStore(),
    executions: new MemoryExecutionStore(),
    handlers: await recordedAnswers(),
    items: findings,
    intake: async (finding, start) => [await start(finding as Finding)],
    close() {},
  };
}

/** `count` distinct incidents, categories and principals taking turns, all routed to auto remediation. */
function findings(count: number, batch: string): Finding[] {
  const bases = Object.values(FINDINGS);
  return Array.from({ length: count }, (_, index) => {
    const base = bases[index % bases.length] as Finding;
    const principal = base.principal.replace(/[^/]+$/, `user-${index % PRINCIPALS}`);
    return { ...base, principal, eventIds: [`bench-${batch}-${index}`] };
  });
}

interface PhaseResult {
  latencies: number[];
  elapsedMs: number;
  /** Final statuses seen, by status. */
  finals: Map<string, number>;
  succeeded: number;
  /** Serve path: POST sent → 202 received, and POSTs not answered 202 with the event accepted. */
  accepted?: number[];
  refused?: number;
}

/** Feed `batch` to a fresh engine over `setup`'s stores, item i at `startAt(i)` ms. */
async function phase(setup: Setup, batch: unknown[], startAt: (index: number) => number): Promise<PhaseResult> {
  const engine = createLocalWorkflowEngine({
    deps: benchTaskDeps(setup.store),
    executions: setup.executions,
    handlers: setup.handlers,
  });
  const arrivedAt = new Map<string, number>();
  const latencies: number[] = [];
  const finals = new Map<string, number>();
  let finished = () => {};
  const all = new Promise<void>((resolve) => (finished = resolve));
  const arrived = (id: string, status: string) => {
    const start = arrivedAt.get(id);
    if (start === undefined) return;
    latencies.push(performance.now() - start);
    finals.set(status, (finals.get(status) ?? 0) + 1);
    arrivedAt.delete(id);
    if (latencies.length === batch.length) finished();
  };
  const unsubscribe = setup.store.subscribe((change) => {
    if (change.type === "incident.changed" && isFinalStatus(change.incident.status)) {
      arrived(change.incident.id, change.incident.status);
    }
  });
  const begin = performance.now();
  const executions: string[] = [];
  await Promise.all(
    batch.map(async (item, index) => {
      const wait = begin + startAt(index) - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const at = performance.now();
      const started = await setup.intake(item, async (finding) => {
        const { incidentId, executionArn } = await engine.startFinding(finding);
        // The first delivery's arrival counts; a final status seen before this line cannot be lost.
        if (!arrivedAt.has(incidentId)) arrivedAt.set(incidentId, at);
        return { incidentId, executionArn };
      });
      for (const { incidentId, executionArn } of started) {
        executions.push(executionArn);
        if (setup.handlers) {
          // Recorded answers do not write the incident: its execution ending is its final status.
          void engine.interpreter
            .waitForExecution(executionArn)
            .then((record) => arrived(incidentId, record.status === "SUCCEEDED" ? "MITIGATED" : record.status));
        }
      }
    }),
  );
  if (executions.length !== batch.length) {
    throw new Error(`${batch.length} items made ${executions.length} incidents; the bench expects one each`);
  }
  await all;
  const elapsedMs = performance.now() - begin;
  unsubscribe();
  let succeeded = 0;
  for (const arn of executions) {
    if ((await engine.interpreter.waitForExecution(arn)).status === "SUCCEEDED") succeeded++;
  }
  await engine.close();
  return { latencies, elapsedMs, finals, succeeded };
}

/** One `POST /api/events` with a CloudTrail body; resolves with whether the one record was accepted. */
async function postAccepted(url: URL, agent: Agent, record: unknown): Promise<boolean> {
  try {
    const { status, text } = await postRecord(url, record, agent);
    return status === 202 && (JSON.parse(text) as { accepted?: number }).accepted === 1;
  } catch {
    return false;
  }
}

/**
 * POST `batch` to a running `riposte serve` runtime, record i at `startAt(i)` ms, and time each
 * from its POST being sent to its incident's final status in the store's change stream (the
 * incident names the record's event id).
 */
async function servePhase(
  runtime: Runtime,
  batch: unknown[],
  startAt: (index: number) => number,
): Promise<PhaseResult> {
  const url = new URL(runtime.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const accepted: number[] = [];
  const finals = new Map<string, number>();
  const executions: string[] = [];
  let refused = 0;
  let finished = () => {};
  const all = new Promise<void>((resolve) => (finished = resolve));
  const unsubscribe = runtime.store.subscribe((change) => {
    if (change.type !== "incident.changed" || !isFinalStatus(change.incident.status)) return;
    const at = performance.now();
    for (const eventId of change.incident.eventIds) {
      const sent = sentAt.get(eventId);
      if (sent === undefined) continue;
      sentAt.delete(eventId);
      latencies.push(at - sent);
      finals.set(change.incident.status, (finals.get(change.incident.status) ?? 0) + 1);
      if (change.incident.executionArn) executions.push(change.incident.executionArn);
      if (latencies.length === batch.length) finished();
    }
  });
  const begin = performance.now();
  await Promise.all(
    batch.map(async (record, index) => {
      const wait = begin + startAt(index) - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const sent = performance.now();
      sentAt.set((record as { eventID: string }).eventID, sent);
      if (await postAccepted(url, agent, record)) accepted.push(performance.now() - sent);
      else refused++;
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, FINISH_TIMEOUT_MS)))]);
  clearTimeout(timer);
  const elapsedMs = performance.now() - begin;
  unsubscribe();
  agent.destroy();
  let succeeded = 0;
  for (const arn of executions) {
    if ((await runtime.workflows.interpreter.waitForExecution(arn)).status === "SUCCEEDED") succeeded++;
  }
  return { latencies, elapsedMs, finals, succeeded, accepted, refused };
}

/** `riposte serve` in this process: a temporary data directory, no demo, dry-run, port 0. */
/** What a phase measured, for the ratios. */
interface Figures {
  throughput: number;
  p50: number;
  p99: number;
}

function report(label: string, result: PhaseResult, count: number): Figures {
  const sorted = [...result.latencies].sort((a, b) => a - b);
  const figures = {
    throughput: (count * 1000) / result.elapsedMs,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  };
  const finals = [...result.finals].map(([status, n]) => `${status} ${n}`).join(", ");
  let accepted = "";
  if (result.accepted) {
    const answered = [...result.accepted].sort((a, b) => a - b);
    accepted =
      `; accepted (202) p50 ${percentile(answered, 50).toFixed(1)} ms, p99 ${percentile(answered, 99).toFixed(1)} ms, ` +
      `refused ${result.refused ?? 0}`;
  }
  process.stdout.write(
    `  ${label}: ${count} incidents in ${(result.elapsedMs / 1000).toFixed(2)} s = ` +
      `${figures.throughput.toFixed(0)} incidents/s; intake → final status ` +
      `p50 ${figures.p50.toFixed(1)} ms, p99 ${figures.p99.toFixed(1)} ms, ` +
      `max ${(sorted.at(-1) ?? 0).toFixed(1)} ms${accepted}; final ${finals}; lost ${count - result.latencies.length}; ` +
      `executions succeeded ${result.succeeded}/${count}\n`,
  );
  if ((result.finals.get("MITIGATED") ?? 0) !== count || result.succeeded !== count) {
    throw new Error(`${label}: every incident must end MITIGATED with its execution SUCCEEDED`);
  }
  return figures;
}

interface Run {
  burst: Figures;
  steady: Figures;
}

/**
 * Warm-up (compiles the JSONata, loads the handlers' modules and data, warms the JIT), a burst,
 * then a steady stream at `rate` per second (default: half the burst throughput).
 */
async function measure(
  name: string,
  items: (count: number, batch: string) => unknown[],
  phaseOf: (batch: unknown[], startAt: (index: number) => number) => Promise<PhaseResult>,
  steadyRate?: number,
): Promise<Run> {
  process.stdout.write(`${name}\n`);
  await phaseOf(items(100, "warm-up"), () => 0);
  const burst = report("burst, all at once", await phaseOf(items(INCIDENTS, "burst"), () => 0), INCIDENTS);
  const rate = steadyRate ?? burst.throughput / 2;
  const steady = await phaseOf(items(INCIDENTS, "steady"), (index) => (index * 1000) / rate);
  const label = steadyRate === undefined ? "half the burst throughput" : "half the serve path's burst throughput";
  return { burst, steady: report(`steady, ${rate.toFixed(0)}/s (${label})`, steady, INCIDENTS) };
}

async function measureServe(settleMs: number, steadyRate?: number): Promise<Run> {
  const served = await startBenchServe(settleMs);
  try {
    const name =
      `serve path (riposte serve in-process): POST /api/events over 127.0.0.1 → durable inbox → detection loop ` +
      `(runtime.settleMs ${settleMs}${settleMs === DEFAULT_SETTLE_MS ? ", the default" : ""}) → workflows, real handlers, ` +
      "SQLite store (WAL, synchronous: full, fsynced at sync points)";
    return await measure(name, records, (batch, startAt) => servePhase(served.runtime, batch, startAt), steadyRate);
  } finally {
    await served.close();
  }
}

async function measureSetup(setup: Setup, steadyRate?: number): Promise<Run> {
  try {
    return await measure(setup.name, setup.items, (batch, startAt) => phase(setup, batch, startAt), steadyRate);
  } finally {
    setup.close();
  }
}

function ratios(label: string, run: Run, baseline: Run): void {
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  process.stdout.write(
    `  ${label}: burst throughput ${ratio(run.burst.throughput, baseline.burst.throughput)}, ` +
      `steady p50 ${ratio(run.steady.p50, baseline.steady.p50)}, steady p99 ${ratio(run.steady.p99, baseline.steady.p99)}\n`,
  );
}

export async function run(): Promise<void> {
  const serve = await measureServe(DEFAULT_SETTLE_MS);
  // The same steady rate for the serve path without the wait and the direct baseline: comparable latencies.
  const rate = serve.burst.throughput / 2;
  const unsettled = await measureServe(0, rate);
  const direct = await measureSetup(runtimeSetup("full"), rate);
  const alone = await measureSetup(await engineAloneSetup());
  process.stdout.write(`ratios, same run, ${availableParallelism()} cores\n`);
  process.stdout.write("against the detection → workflows baseline (same steady rate)\n");
  ratios(`serve path, settleMs ${DEFAULT_SETTLE_MS}`, serve, direct);
  ratios("serve path, settleMs 0", unsettled, direct);
  process.stdout.write(
    `serve path burst against the engine alone (issue 20 bar: 0.5): settleMs ${DEFAULT_SETTLE_MS} ` +
      `${(serve.burst.throughput / alone.burst.throughput).toFixed(2)}, settleMs 0 ` +
      `${(unsettled.burst.throughput / alone.burst.throughput).toFixed(2)}\n` +
      `serve path steady p50 / p99 (issue 20 bar: p99 <= 50 ms): settleMs ${DEFAULT_SETTLE_MS} ` +
      `${serve.steady.p50.toFixed(1)} / ${serve.steady.p99.toFixed(1)} ms, settleMs 0 ` +
      `${unsettled.steady.p50.toFixed(1)} / ${unsettled.steady.p99.toFixed(1)} ms\n`,
  );
}
