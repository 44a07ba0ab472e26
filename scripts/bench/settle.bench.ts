/**
 * What the detection loop's settle window (`runtime.settleMs`) costs each kind of finding: the
 * time from handing a CloudTrail record to the durable inbox (fsynced) to its finding's workflow
 * start being called, one record at a time with the loop idle in between, for the default
 * `settleMs` and for 0, in the same run. The real inbox, outbox, detection engine and correlation
 * state on a temporary data directory; no workflows (the start is only noted), so the figures are
 * the detection loop's alone. The three records are the runtime bench's: a world-open SSH rule
 * (order-free: a revoke resolves its incident by event time), a public bucket policy (its finding
 * depends on the order: it carries the policy before it) and a StopLogging call (order-free).
 * `npm run bench -- settle`; `BENCH_SETTLE_RECORDS` (default 150) records per setting.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseConfig } from "../../core/config/load.js";
import { createDetectionEngine } from "../../core/engine/engine.js";
import { normalizeRecords } from "../../core/events/index.js";
import { incidentIdFor } from "../../core/incidents/id.js";
import { silentLogger } from "../../core/log.js";
import { SqliteCorrelationStore } from "../../core/store/sqlite/correlation.js";
import { openDetectionDatabase } from "../../local/runtime/detection-db.js";
import { createDetectionLoop } from "../../local/runtime/detection-loop.js";
import { EventInbox } from "../../local/runtime/inbox.js";
import { AsyncLock } from "../../local/runtime/lock.js";
import { FindingOutbox } from "../../local/runtime/outbox.js";
import { authorizeIngress, cloudtrail, identity, publicReadPolicy, s3 } from "../../test/fixtures/events/cloudtrail.js";
import { percentile } from "./stats.js";

const RECORDS = Number(process.env.BENCH_SETTLE_RECORDS ?? 150);
const DEFAULT_SETTLE_MS = parseConfig({}).runtime.settleMs;
/** Between records: long enough for the loop to go idle after each. */
const GAP_MS = DEFAULT_SETTLE_MS + 50;
const KINDS = ["world-open SSH rule", "public bucket policy", "StopLogging"] as const;
type Kind = (typeof KINDS)[number];

/** One record of each kind in turn, each from its own account and actor a second apart. */
function recordAt(index: number): { kind: Kind; record: Record<string, unknown> } {
  const account = String(300_000_000_000 + index);
  const user = { ...identity.user(`user-${index}`), accountId: account, arn: `arn:aws:iam::${account}:user/u${index}` };
  const time = new Date(Date.UTC(2026, 2, 1) + index * 1000).toISOString().replace(".000Z", "Z");
  const options = { user, time, eventId: `settle-${index}` };
  const kind = KINDS[index % KINDS.length]!;
  const record =
    kind === "world-open SSH rule"
      ? authorizeIngress(
          `sg-${index.toString(16).padStart(17, "0")}`,
          [{ from: 22, to: 22, cidrs: ["0.0.0.0/0"] }],
          options,
        )
      : kind === "public bucket policy"
        ? s3("PutBucketPolicy", `bucket-${index}`, { policy: publicReadPolicy(`bucket-${index}`) }, options)
        : cloudtrail("StopLogging", { name: `trail-${index}` }, options);
  return { kind, record: { ...record, recipientAccountId: account } };
}

async function measure(settleMs: number, records = RECORDS): Promise<Map<Kind, number[]>> {
  const dir = mkdtempSync(join(tmpdir(), "riposte-bench-settle-"));
  const db = openDetectionDatabase(dir);
  const lock = new AsyncLock();
  const inbox = new EventInbox(db, lock);
  const config = parseConfig({});
  const state = new SqliteCorrelationStore(db);
  const sentAt = new Map<string, { kind: Kind; at: number }>();
  const latencies = new Map<Kind, number[]>(KINDS.map((kind) => [kind, []]));
  const loop = createDetectionLoop({
    inbox,
    outbox: new FindingOutbox(db),
    lock,
    createEngine: () => createDetectionEngine({ config, state }),
    start: async (finding) => {
      const at = performance.now();
      for (const id of finding.eventIds) {
        const sent = sentAt.get(id);
        if (!sent) continue;
        sentAt.delete(id);
        latencies.get(sent.kind)!.push(at - sent.at);
      }
      return { incidentId: incidentIdFor(finding), started: true };
    },
    batchSize: 500,
    settleMs,
    logger: silentLogger,
  });
  inbox.onArrival(() => loop.wake());
  loop.start();
  try {
    for (let index = 0; index < records; index++) {
      const { kind, record } = recordAt(index);
      const events = normalizeRecords(record).events;
      sentAt.set(String(record.eventID), { kind, at: performance.now() });
      await inbox.add(events, "api");
      await new Promise((resolve) => setTimeout(resolve, GAP_MS));
    }
    await loop.drained();
  } finally {
    await loop.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  if (sentAt.size > 0) throw new Error(`settleMs ${settleMs}: ${sentAt.size} records never reached a workflow start`);
  return latencies;
}

export async function run(): Promise<void> {
  process.stdout.write(
    `detection loop: inbox (fsynced) → workflow start, one record every ${GAP_MS} ms, ${RECORDS} records per setting\n`,
  );
  // Warm-up, not counted: the first records load the location database and compile what is lazy.
  await measure(0, 2 * KINDS.length);
  for (const settleMs of [DEFAULT_SETTLE_MS, 0]) {
    const byKind = await measure(settleMs);
    const all = [...byKind.values()].flat().sort((a, b) => a - b);
    process.stdout.write(
      `  settleMs ${settleMs}${settleMs === DEFAULT_SETTLE_MS ? " (the default)" : ""}: all p50 ${percentile(all, 50).toFixed(1)} ms, p99 ${percentile(all, 99).toFixed(1)} ms\n`,
    );
    for (const [kind, values] of byKind) {
      const sorted = [...values].sort((a, b) => a - b);
      process.stdout.write(
        `    ${kind}: p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms (${sorted.length})\n`,
      );
    }
  }
}
