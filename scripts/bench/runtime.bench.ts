/**
 * The local runtime's workflows under load: 1,000 incidents (the five categories in turn, each
 * routed to automatic remediation, dry-run) timed from intake (the workflow start the detection
 * step makes) to the final status appearing in the store's change stream.
 *
 *  - "runtime": the real task handlers and the SQLite store `riposte serve` uses (a temporary
 *    data directory, WAL, synchronous=full).
 *  - "engine alone": the same workflows with every function answering a recorded answer at once
 *    and in-memory stores: what the interpreter itself costs (JSONata, history, checkpoints).
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
import type { TaskDeps } from "../../core/context.js";
import { silentLogger } from "../../core/log.js";
import type { Finding } from "../../core/model/incident.js";
import { isFinalStatus } from "../../core/model/status.js";
import { TASK_NAMES, type TaskName } from "../../core/model/tasks.js";
import { MemoryActionLedger } from "../../core/remediation/breaker.js";
import { MemoryStore } from "../../core/store/memory.js";
import type { ExecutionStore, RiposteStore } from "../../core/store/ports.js";
import { openSqliteStore } from "../../core/store/sqlite/store.js";
import type { LocalFunction } from "../../local/interpreter/integrations.js";
import { MemoryExecutionStore } from "../../local/interpreter/memory-executions.js";
import { localFunctionName } from "../../local/runtime/tasks.js";
import { createLocalWorkflowEngine } from "../../local/runtime/workflow-engine.js";
import { FINDINGS } from "../../test/workflows/fixtures.js";

const INCIDENTS = 1_000;
const PRINCIPALS = 50;

interface Setup {
  name: string;
  store: RiposteStore;
  executions: ExecutionStore;
  handlers?: Partial<Record<TaskName, LocalFunction>>;
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

function runtimeSetup(): Setup {
  const dir = mkdtempSync(join(tmpdir(), "riposte-bench-runtime-"));
  const sqlite = openSqliteStore({ dataDir: dir });
  return {
    name: "runtime: real handlers, SQLite store (WAL, synchronous=full)",
    store: sqlite,
    executions: sqlite,
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
    name: "engine alone: recorded answers, in-memory stores",
    store: new MemoryStore(),
    executions: new MemoryExecutionStore(),
    handlers: await recordedAnswers(),
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
  mitigated: number;
  succeeded: number;
}

/** Start `batch` on a fresh engine over `setup`'s stores, incident i at `startAt(i)` ms. */
async function phase(setup: Setup, batch: Finding[], startAt: (index: number) => number): Promise<PhaseResult> {
  const engine = createLocalWorkflowEngine({
    deps: deps(setup.store),
    executions: setup.executions,
    handlers: setup.handlers,
  });
  // The recorded answers name one incident; the store still sees every incident's own writes.
  const startedAt = new Map<string, number>();
  const latencies: number[] = [];
  let mitigated = 0;
  let finished = () => {};
  const all = new Promise<void>((resolve) => (finished = resolve));
  const arrived = (id: string, status: string) => {
    const start = startedAt.get(id);
    if (start === undefined) return;
    latencies.push(performance.now() - start);
    if (status === "MITIGATED") mitigated++;
    startedAt.delete(id);
    if (latencies.length === batch.length) finished();
  };
  const unsubscribe = setup.store.subscribe((change) => {
    if (change.type === "incident.changed" && isFinalStatus(change.incident.status)) {
      arrived(change.incident.id, change.incident.status);
    }
  });
  const begin = performance.now();
  const executions = await Promise.all(
    batch.map(async (finding, index) => {
      const wait = begin + startAt(index) - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const at = performance.now();
      const started = engine.startFinding(finding);
      const { incidentId, executionArn } = await started;
      if (!startedAt.has(incidentId)) startedAt.set(incidentId, at);
      if (setup.handlers) {
        // Recorded answers do not write the incident: its execution ending is its final status.
        void engine.interpreter
          .waitForExecution(executionArn)
          .then((record) => arrived(incidentId, record.status === "SUCCEEDED" ? "MITIGATED" : record.status));
      }
      return executionArn;
    }),
  );
  await all;
  const elapsedMs = performance.now() - begin;
  unsubscribe();
  let succeeded = 0;
  for (const arn of executions) {
    if ((await engine.interpreter.waitForExecution(arn)).status === "SUCCEEDED") succeeded++;
  }
  await engine.close();
  return { latencies, elapsedMs, mitigated, succeeded };
}

function report(label: string, result: PhaseResult, count: number): void {
  const sorted = [...result.latencies].sort((a, b) => a - b);
  process.stdout.write(
    `  ${label}: ${count} incidents in ${(result.elapsedMs / 1000).toFixed(2)} s = ` +
      `${((count * 1000) / result.elapsedMs).toFixed(0)} incidents/s; intake → final status ` +
      `p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, ` +
      `max ${(sorted.at(-1) ?? 0).toFixed(1)} ms; MITIGATED ${result.mitigated}/${count} (lost ${count - result.mitigated}), ` +
      `executions succeeded ${result.succeeded}/${count}\n`,
  );
}

export async function run(): Promise<void> {
  for (const make of [runtimeSetup, engineAloneSetup]) {
    const setup = await make();
    try {
      process.stdout.write(`${setup.name}\n`);
      // Warm-up: compiles the JSONata, loads the handlers' modules and data, warms the JIT.
      await phase(setup, findings(100, "warm-up"), () => 0);
      const burst = await phase(setup, findings(INCIDENTS, "burst"), () => 0);
      report("burst, all at once", burst, INCIDENTS);
      const rate = (INCIDENTS * 1000) / burst.elapsedMs / 2;
      const steady = await phase(setup, findings(INCIDENTS, "steady"), (index) => (index * 1000) / rate);
      report(`steady, ${rate.toFixed(0)}/s (half the burst throughput)`, steady, INCIDENTS);
    } finally {
      setup.close();
    }
  }
}
