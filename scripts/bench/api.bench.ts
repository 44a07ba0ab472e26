/**
 * `npm run bench api`: a burst of 10,000 concurrent `POST /api/events` against the local server
 * (SQLite store on a real file, an intake that opens one incident per event), compared with the
 * same burst of `GET /api/health` (no store write) as the baseline measured in the same run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../core/log.js";
import { SqliteStore } from "../../core/store/sqlite/store.js";
import { startLocalServer } from "../../local/server/index.js";
import { type BurstResult, burstBodies, incidentPerEventIntake, postBurst } from "../../test/api/burst.js";

const TOKEN = "bench-token-0123456789abcdef";
const INTAKE_TOKEN = "bench-intake-token-0123456789abcdef";
const COUNT = 10_000;

function describeBurst(label: string, result: BurstResult, count: number): number {
  const rate = (count / result.elapsedMs) * 1000;
  const p = (fraction: number) =>
    result.latenciesMs[Math.max(0, Math.ceil(fraction * result.latenciesMs.length) - 1)] ?? 0;
  console.log(
    `${label.padEnd(34)} ${result.elapsedMs.toFixed(0).padStart(6)} ms  ${rate.toFixed(0).padStart(6)} req/s  p50 ${p(0.5).toFixed(0)} ms  p99 ${p(0.99).toFixed(0)} ms  statuses ${JSON.stringify(Object.fromEntries(result.statuses))}  failures ${result.failures}`,
  );
  return rate;
}

async function burst(synchronous: "full" | "normal"): Promise<{ health: number; events: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), "riposte-bench-api-"));
  const store = new SqliteStore({ dataDir, synchronous });
  const server = await startLocalServer({
    port: 0,
    store,
    token: TOKEN,
    intakeTokens: [{ token: INTAKE_TOKEN, principal: "intake" }],
    logger: silentLogger,
    intake: incidentPerEventIntake(store),
  });
  try {
    const health = describeBurst(
      `health baseline (sqlite ${synchronous})`,
      await postBurst(server.url, "/api/health", TOKEN, new Array(COUNT).fill("")),
      COUNT,
    );
    const events = describeBurst(
      `events burst (sqlite ${synchronous})`,
      await postBurst(server.url, "/api/events", INTAKE_TOKEN, burstBodies(COUNT, 0)),
      COUNT,
    );
    let stored = 0;
    let cursor: string | undefined;
    do {
      const page = await store.listIncidents({ limit: 1000, cursor });
      stored += page.items.length;
      cursor = page.nextCursor;
    } while (cursor);
    console.log(`  incidents stored: ${stored} of ${COUNT}`);
    return { health, events };
  } finally {
    await server.close();
    store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  for (const synchronous of ["full", "normal"] as const) {
    const { health, events } = await burst(synchronous);
    console.log(`  events/health throughput ratio: ${(events / health).toFixed(2)}`);
  }
}
