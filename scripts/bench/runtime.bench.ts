/**
 * The local runtime's workflows under load: 1,000 incidents, each routed to automatic
 * remediation (dry-run), timed from intake to the final status appearing in the store's change
 * stream.
 *
 *  - "runtime": raw CloudTrail records (a security group opened to the world, a bucket policy
 *    made public, CloudTrail logging stopped, in turn) normalised and run through the detection
 *    engine, then the workflows with the real task handlers and the SQLite store `riposte serve`
 *    uses (a temporary data directory, WAL; synchronous=full, its default, which fsyncs every
 *    commit, and synchronous=normal, to show that cost). Intake is the record's arrival.
 *  - "engine alone": findings straight into the same workflows, every function answering a
 *    recorded answer at once, in-memory stores: what the interpreter itself costs (JSONata,
 *    history, checkpoints). Intake is the workflow start.
 *
 * Each runs a burst (all 1,000 at once: throughput) and then a steady stream at half that
 * throughput (latency p50/p99 while the runtime keeps up). Nothing may be lost: every incident
 * must reach MITIGATED and every execution SUCCEEDED. `npm run bench runtime`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseConfig } from "../../core/config/load.js";
import type { RiposteConfig } from "../../core/config/schema.js";
import type { TaskDeps } from "../../core/context.js";
import { SqliteCorrelationStore } from "../../core/correlation/sqlite.js";
import { createDetectionEngine } from "../../core/detections/engine.js";
import { normalizeRecords } from "../../core/events/index.js";
import { silentLogger } from "../../core/log.js";
import type { Finding } from "../../core/model/incident.js";
import { isFinalStatus } from "../../core/model/status.js";
import { TASK_NAMES, type TaskName } from "../../core/model/tasks.js";
import { MemoryActionLedger } from "../../core/remediation/breaker.js";
import { MemoryStore } from "../../core/store/memory.js";
import { MemoryExecutionStore } from "../../core/store/memory-executions.js";
import type { ExecutionStore, RiposteStore } from "../../core/store/ports.js";
import { openSqliteStore } from "../../core/store/sqlite/store.js";
import type { LocalFunction } from "../../local/interpreter/integrations.js";
import { localFunctionName } from "../../local/runtime/tasks.js";
import { createLocalWorkflowEngine } from "../../local/runtime/workflow-engine.js";
import { authorizeIngress, cloudtrail, identity, publicReadPolicy, s3 } from "../../test/fixtures/events/cloudtrail.js";
import { FINDINGS } from "../../test/workflows/fixtures.js";

const INCIDENTS = 1_000;
const PRINCIPALS = 50;

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

function deps(store: RiposteStore): Omit<TaskDeps, "callbacks"> {
  return {
    config: parseConfig({}),
    store,
    logger: silentLogger,
    now: () => new Date(),
    aws: { region: "us-east-1" },
    mode: "dry-run",
    secrets: {},
    ledger: new MemoryActionLedger(),
  };
}

// Batches an hour apart in event time, from accounts of their own: no correlation across them
// (a world-open rule still open a day later would be a zombie-rule finding).
const BATCHES: Record<string, number> = { "warm-up": 0, burst: 1, steady: 2 };
const worldOpenSsh = { from: 22, to: 22, cidrs: ["0.0.0.0/0"] };

/**
 * One raw CloudTrail record per incident, three stateless detections taking turns. Each comes
 * from its own account and actor a second apart (an organisation's trail): several world-open
 * rules within one account and window would add a correlated finding (`sg-repeated-open`) to the
 * one each record makes, and the bench counts one incident per record.
 */
function records(count: number, batch: string): unknown[] {
  const slot = BATCHES[batch] ?? 3;
  const base = Date.UTC(2026, 2, 1) + slot * 3_600_000;
  return Array.from({ length: count }, (_, index) => {
    const id = `${batch}-${index}`;
    const account = String(200_000_000_000 + slot * 10_000 + index);
    const user = { ...identity.user(`user-${id}`), accountId: account, arn: `arn:aws:iam::${account}:user/user-${id}` };
    const options = { user, time: new Date(base + index * 1000).toISOString().replace(".000Z", "Z") };
    const record =
      index % 3 === 0
        ? authorizeIngress(`sg-${(slot * 10_000 + index).toString(16).padStart(17, "0")}`, [worldOpenSsh], options)
        : index % 3 === 1
          ? s3("PutBucketPolicy", `bucket-${id}`, { policy: publicReadPolicy(`bucket-${id}`) }, options)
          : cloudtrail("StopLogging", { name: `trail-${id}` }, options);
    return { ...record, recipientAccountId: account };
  });
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
    name: `runtime: CloudTrail records → detection → workflows, real handlers, SQLite store (WAL, synchronous=${synchronous})`,
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
  const engine = createLocalWorkflowEngine({ deps: deps(new MemoryStore()), executions: new MemoryExecutionStore() });
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

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

interface PhaseResult {
  latencies: number[];
  elapsedMs: number;
  /** Final statuses seen, by status. */
  finals: Map<string, number>;
  succeeded: number;
}

/** Feed `batch` to a fresh engine over `setup`'s stores, item i at `startAt(i)` ms. */
async function phase(setup: Setup, batch: unknown[], startAt: (index: number) => number): Promise<PhaseResult> {
  const engine = createLocalWorkflowEngine({
    deps: deps(setup.store),
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

function report(label: string, result: PhaseResult, count: number): void {
  const sorted = [...result.latencies].sort((a, b) => a - b);
  const finals = [...result.finals].map(([status, n]) => `${status} ${n}`).join(", ");
  process.stdout.write(
    `  ${label}: ${count} incidents in ${(result.elapsedMs / 1000).toFixed(2)} s = ` +
      `${((count * 1000) / result.elapsedMs).toFixed(0)} incidents/s; intake → final status ` +
      `p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, ` +
      `max ${(sorted.at(-1) ?? 0).toFixed(1)} ms; final ${finals}; lost ${count - result.latencies.length}; ` +
      `executions succeeded ${result.succeeded}/${count}\n`,
  );
  if ((result.finals.get("MITIGATED") ?? 0) !== count || result.succeeded !== count) {
    throw new Error(`${label}: every incident must end MITIGATED with its execution SUCCEEDED`);
  }
}

export async function run(): Promise<void> {
  // synchronous=full (the store's default) fsyncs every commit; normal shows what that costs.
  const setups = [() => runtimeSetup("full"), () => runtimeSetup("normal"), engineAloneSetup];
  for (const make of setups) {
    const setup = await make();
    try {
      process.stdout.write(`${setup.name}\n`);
      // Warm-up: compiles the JSONata, loads the handlers' modules and data, warms the JIT.
      await phase(setup, setup.items(100, "warm-up"), () => 0);
      const burst = await phase(setup, setup.items(INCIDENTS, "burst"), () => 0);
      report("burst, all at once", burst, INCIDENTS);
      const rate = (INCIDENTS * 1000) / burst.elapsedMs / 2;
      const steady = await phase(setup, setup.items(INCIDENTS, "steady"), (index) => (index * 1000) / rate);
      report(`steady, ${rate.toFixed(0)}/s (half the burst throughput)`, steady, INCIDENTS);
    } finally {
      setup.close();
    }
  }
}
