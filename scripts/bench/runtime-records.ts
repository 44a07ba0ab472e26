import { mkdtempSync, rmSync } from "node:fs";
import { type Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../core/config/load.js";
import { silentLogger } from "../../core/log.js";
import { MemoryActionLedger } from "../../core/store/memory-ledger.js";
import type { RiposteStore } from "../../core/store/ports.js";
import type { TaskDeps } from "../../core/task-deps.js";
import { type Runtime, startRuntime } from "../../local/runtime/runtime.js";
import { authorizeIngress, cloudtrail, identity, publicReadPolicy, s3 } from "../../test/fixtures/events/cloudtrail.js";

/**
 * What the runtime benches (runtime.bench.ts, runtime-profile.ts, runtime-commits.ts) push
 * through `riposte serve`: one raw CloudTrail record per incident, three stateless detections
 * taking turns (a world-open SSH rule, a public bucket policy, a StopLogging call), and the
 * `POST /api/events` that delivers one, to `riposte serve` started as they all start it.
 */

/** The intake token the benches' `riposte serve` accepts. */
export const BENCH_INTAKE_TOKEN = "bench-runtime-intake-token-0123456789";

/**
 * `count` records of batch `slot`, each from its own account and actor a second apart (an
 * organisation's trail): several world-open rules within one account and window would add a
 * correlated finding (`sg-repeated-open`) to the one each record makes, and the benches count one
 * incident per record. Slots are an hour apart in event time and use accounts of their own, so
 * batches never correlate (a world-open rule still open a day later would be a zombie-rule finding).
 */
export function benchRecords(count: number, slot: number, prefix: string): Record<string, unknown>[] {
  const base = Date.UTC(2026, 2, 1) + slot * 3_600_000;
  return Array.from({ length: count }, (_, index) => {
    const id = `${prefix}-${index}`;
    const account = String(200_000_000_000 + slot * 10_000 + index);
    const user = { ...identity.user(`user-${id}`), accountId: account, arn: `arn:aws:iam::${account}:user/user-${id}` };
    const time = new Date(base + index * 1000).toISOString().replace(".000Z", "Z");
    const options = { user, time, eventId: `bench-${id}` };
    const record =
      index % 3 === 0
        ? authorizeIngress(
            `sg-${(slot * 10_000 + index).toString(16).padStart(17, "0")}`,
            [{ from: 22, to: 22, cidrs: ["0.0.0.0/0"] }],
            options,
          )
        : index % 3 === 1
          ? s3("PutBucketPolicy", `bucket-${id}`, { policy: publicReadPolicy(`bucket-${id}`) }, options)
          : cloudtrail("StopLogging", { name: `trail-${id}` }, options);
    return { ...record, recipientAccountId: account };
  });
}

/**
 * One `POST /api/events` of `record` (over `agent`, or a connection of its own); resolves with
 * the status code and the answer's text, rejects when the request fails.
 */
export function postRecord(url: URL, record: unknown, agent?: Agent): Promise<{ status: number; text: string }> {
  const body = JSON.stringify({ Records: [record] });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent: agent ?? false,
        host: url.hostname,
        port: url.port,
        method: "POST",
        path: "/api/events",
        headers: {
          authorization: `Bearer ${BENCH_INTAKE_TOKEN}`,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * `riposte serve` in-process on a temporary data directory (port 0, no demo, dry-run, SQLite
 * fsynced at sync points), with `remediation.autoRemediateIntake` on: posted events otherwise wait
 * for approval, and the benches time the automatic path. `close` stops it and removes the directory.
 */
export async function startBenchServe(settleMs?: number): Promise<{ runtime: Runtime; close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), "riposte-bench-serve-"));
  const runtime = await startRuntime({
    host: "127.0.0.1",
    port: 0,
    dataDir,
    config: parseConfig({
      remediation: { mode: "dry-run", autoRemediateIntake: true },
      ...(settleMs === undefined ? {} : { runtime: { settleMs } }),
    }),
    demo: false,
    token: "bench-runtime-token-0123456789abcdef",
    env: { AWS_REGION: "us-east-1", RIPOSTE_INTAKE_TOKEN: BENCH_INTAKE_TOKEN },
    logger: silentLogger,
    synchronous: "full",
  });
  return {
    runtime,
    async close() {
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** What the benches' workflow engines give their tasks: dry-run, silent, in us-east-1. */
export function benchTaskDeps(store: RiposteStore, config = parseConfig({})): Omit<TaskDeps, "callbacks"> {
  return {
    config,
    store,
    logger: silentLogger,
    now: () => new Date(),
    aws: { region: "us-east-1" },
    mode: "dry-run",
    secrets: {},
    ledger: new MemoryActionLedger(),
  };
}
