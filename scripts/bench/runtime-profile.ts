/**
 * The "detection → workflows" baseline of runtime.bench.ts as a script of its own, to profile:
 * `BENCH_PROFILE_INCIDENTS` CloudTrail records (default 300) through the detection engine and the
 * workflows with the real handlers on the SQLite store (WAL, synchronous full), after a warm-up
 * of 100; prints the burst's throughput and CPU per incident.
 * With `BENCH_PROFILE_PATH=serve`, the serve path instead: `riposte serve` in-process (as
 * runtime.bench.ts starts it, the default settleMs), each record one `POST /api/events` over 64
 * keep-alive connections. `npx tsx scripts/bench/runtime-profile.ts`; with `BENCH_PROFILE_OUT=<file>.cpuprofile` the burst
 * alone is profiled (the inspector's sampling profiler) into that file, which
 * `scripts/bench/profile-summary.ts` summarises.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent } from "node:http";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseConfig } from "../../core/config/load.js";
import { createDetectionEngine } from "../../core/engine/engine.js";
import { normalizeRecords } from "../../core/events/index.js";
import type { Finding } from "../../core/model/incident.js";
import { isFinalStatus } from "../../core/model/status.js";
import { SqliteCorrelationStore } from "../../core/store/sqlite/correlation.js";
import { openSqliteStore } from "../../core/store/sqlite/store.js";
import { createLocalWorkflowEngine } from "../../local/runtime/workflow-engine.js";
import { benchRecords, benchTaskDeps, postRecord, startBenchServe } from "./runtime-records.js";

const INCIDENTS = Number(process.env.BENCH_PROFILE_INCIDENTS ?? 300);
const PROFILE_OUT = process.env.BENCH_PROFILE_OUT;

/** Run `body` under the sampling profiler when `BENCH_PROFILE_OUT` names a file. */
async function profiled<T>(body: () => Promise<T>): Promise<T> {
  if (!PROFILE_OUT) return body();
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 200 });
  await session.post("Profiler.start");
  try {
    return await body();
  } finally {
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(PROFILE_OUT, JSON.stringify(profile));
    session.disconnect();
  }
}

async function post(url: URL, agent: Agent, record: unknown): Promise<void> {
  const { status } = await postRecord(url, record, agent);
  if (status !== 202) throw new Error(`POST answered ${status}`);
}

/** The serve path: POSTs to `riposte serve` in-process, timed to the last final status. */
async function serve(): Promise<void> {
  const { runtime, close } = await startBenchServe();
  const url = new URL(runtime.url);
  const burst = async (batch: unknown[]) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    const ids = new Set(batch.map((record) => (record as { eventID: string }).eventID));
    let done = () => {};
    const all = new Promise<void>((resolve) => (done = resolve));
    const unsubscribe = runtime.store.subscribe((change) => {
      if (change.type !== "incident.changed" || !isFinalStatus(change.incident.status)) return;
      if (change.incident.status !== "MITIGATED") throw new Error(`ended ${change.incident.status}`);
      for (const id of change.incident.eventIds) ids.delete(id);
      if (ids.size === 0) done();
    });
    const begin = performance.now();
    const cpu = process.cpuUsage();
    await Promise.all(batch.map((record) => post(url, agent, record)));
    await all;
    const elapsed = performance.now() - begin;
    const used = process.cpuUsage(cpu);
    unsubscribe();
    agent.destroy();
    return { elapsed, cpuMs: (used.user + used.system) / 1000 };
  };
  try {
    await burst(benchRecords(100, 0, "warm-up"));
    const { elapsed, cpuMs } = await profiled(() => burst(benchRecords(INCIDENTS, 1, "burst")));
    process.stdout.write(
      `serve path: ${INCIDENTS} incidents in ${(elapsed / 1000).toFixed(2)} s = ${((INCIDENTS * 1000) / elapsed).toFixed(0)}/s; ` +
        `CPU ${(cpuMs / INCIDENTS).toFixed(2)} ms per incident\n`,
    );
  } finally {
    await close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "riposte-profile-"));
  const sqlite = openSqliteStore({ dataDir: dir, synchronous: "full" });
  const config = parseConfig({});
  const detection = createDetectionEngine({ config, state: new SqliteCorrelationStore(sqlite.db) });
  let queue: Promise<unknown> = Promise.resolve();
  const detect = (record: unknown) => {
    const found = queue.then(async () => {
      const all: Finding[] = [];
      for (const event of normalizeRecords(record).events) all.push(...(await detection.process(event)));
      return all;
    });
    queue = found.catch(() => {});
    return found;
  };
  const burst = async (batch: unknown[]) => {
    const engine = createLocalWorkflowEngine({
      deps: benchTaskDeps(sqlite, config),
      executions: sqlite,
    });
    let left = batch.length;
    let done = () => {};
    const all = new Promise<void>((resolve) => (done = resolve));
    const unsubscribe = sqlite.subscribe((change) => {
      if (change.type === "incident.changed" && isFinalStatus(change.incident.status)) {
        if (change.incident.status !== "MITIGATED") throw new Error(`ended ${change.incident.status}`);
        if (--left === 0) done();
      }
    });
    const begin = performance.now();
    const cpu = process.cpuUsage();
    await Promise.all(
      batch.map(async (record) => Promise.all((await detect(record)).map((f) => engine.startFinding(f)))),
    );
    await all;
    const elapsed = performance.now() - begin;
    const used = process.cpuUsage(cpu);
    unsubscribe();
    await engine.close();
    return { elapsed, cpuMs: (used.user + used.system) / 1000 };
  };
  try {
    await burst(benchRecords(100, 0, "warm-up"));
    const { elapsed, cpuMs } = await profiled(() => burst(benchRecords(INCIDENTS, 1, "burst")));
    process.stdout.write(
      `${INCIDENTS} incidents in ${(elapsed / 1000).toFixed(2)} s = ${((INCIDENTS * 1000) / elapsed).toFixed(0)}/s; ` +
        `CPU ${(cpuMs / INCIDENTS).toFixed(2)} ms per incident\n`,
    );
  } finally {
    sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await (process.env.BENCH_PROFILE_PATH === "serve" ? serve() : main());
