import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import type { IncidentSummary } from "../../core/model/incident.js";
import { isFinalStatus } from "../../core/model/status.js";
import { sshOpenToWorld } from "../e2e/support/events.js";
import {
  api,
  incidentDetail,
  listIncidents,
  postRecords,
  type Served,
  serve,
  stopAll,
  tempDir,
  waitFor,
} from "./support/riposte.js";
import { CATEGORY_SCENARIOS } from "./support/scenarios.js";

/**
 * Crash and restart of `riposte serve` on the same data directory: SIGKILL while an incident
 * awaits approval and a burst of accepted events is still queued in the inbox, SIGKILL again
 * while that burst is being worked off, then a clean restart. Every accepted event's incident
 * exists and finishes, and nothing ran twice. SIGTERM or SIGINT (Ctrl-C): exits 0 and the work
 * it had is finished or picks up after the restart.
 */

const dirs: { remove(): void }[] = [];
afterAll(async () => {
  await stopAll();
  for (const dir of dirs) dir.remove();
});

function newDir() {
  const dir = tempDir("riposte-serve-restart-");
  dirs.push(dir);
  return dir.path;
}

const groupId = (n: number) => `sg-${(0xb0000 + n).toString(16).padStart(17, "0")}`;

/** `count` SSH-to-the-world events on distinct groups, posted as `requests` concurrent bodies. */
async function burst(url: string, count: number, requests: number, first = 0): Promise<string[]> {
  const base = Date.now() - 3_600_000;
  const groups = Array.from({ length: count }, (_, i) => groupId(first + i));
  const per = Math.ceil(count / requests);
  await Promise.all(
    Array.from({ length: requests }, (_, r) =>
      postRecords(
        url,
        groups
          .slice(r * per, (r + 1) * per)
          .map((group, i) => sshOpenToWorld(group, new Date(base + (first + r * per + i) * 1000))),
      ),
    ),
  );
  return groups;
}

function inboxCounts(dataDir: string): { total: number; pending: number } {
  const db = new Database(join(dataDir, "detection.db"), { readonly: true });
  try {
    const row = db.prepare("SELECT count(*) AS total, count(*) - count(processed_at) AS pending FROM inbox").get() as {
      total: number;
      pending: number;
    };
    return row;
  } finally {
    db.close();
  }
}

/** Every incident once, with one execution, one opening and one of each status it recorded. */
async function expectNothingTwice(url: string, items: IncidentSummary[]): Promise<void> {
  expect(new Set(items.map((item) => item.id)).size).toBe(items.length);
  for (const item of items) {
    const detail = await incidentDetail(url, item.id);
    const history = detail.execution?.history ?? [];
    expect(history.filter((h) => h.type === "ExecutionStarted").length, `${item.id} executions`).toBe(1);
    const actions = detail.audit.map((a) => a.action);
    const counts = new Map<string, number>();
    for (const action of actions) counts.set(action, (counts.get(action) ?? 0) + 1);
    expect(counts.get("incident.opened"), `${item.id}: ${actions.join(", ")}`).toBe(1);
    for (const [action, count] of counts) {
      if (action.startsWith("action.") || action === "incident.triaged" || action.startsWith("approval.")) {
        expect(count, `${item.id}: ${action} recorded ${count} times (${actions.join(", ")})`).toBe(1);
      }
    }
    const statuses = detail.audit.filter((a) => a.action === "status.recorded").map((a) => JSON.stringify(a.detail));
    expect(new Set(statuses).size, `${item.id} status records ${statuses.join(" ")}`).toBe(statuses.length);
  }
}

const allFinal = (url: string, expected: number, output: () => string) =>
  waitFor(
    `${expected} incidents with a final status`,
    async () => {
      const items = await listIncidents(url);
      const done = items.filter((item) => isFinalStatus(item.status) || item.status === "AWAITING_APPROVAL");
      return items.length >= expected && done.length === items.length ? items : undefined;
    },
    40_000,
    output,
  );

describe("riposte serve after a crash (SIGKILL) and a restart", () => {
  it("loses nothing queued, keeps the approval waiting, and runs nothing twice", async () => {
    const dataDir = newDir();
    const approvalScenario = CATEGORY_SCENARIOS.find((s) => s.awaitsApproval)!;

    // Run 1: an incident waits for approval; a burst is accepted, then the process is killed.
    let served: Served = await serve({ dataDir });
    await postRecords(served.url, approvalScenario.records);
    const waiting = await waitFor(
      "the incident awaiting approval",
      async () => (await listIncidents(served.url)).find((item) => item.status === "AWAITING_APPROVAL"),
      20_000,
      served.output,
    );
    const groups = await burst(served.url, 40, 4);
    await served.stop("SIGKILL");
    const queued = inboxCounts(dataDir);
    expect(queued.total).toBe(41); // every accepted event is a row
    expect(queued.pending, "events still queued when killed").toBeGreaterThan(0);

    // Run 2: killed again while the queue is being worked off (some incidents exist, not all).
    served = await serve({ dataDir });
    await waitFor(
      "the restarted process to open incidents from the queue",
      async () => ((await listIncidents(served.url)).length > 1 ? true : undefined),
      20_000,
      served.output,
    );
    await served.stop("SIGKILL");

    // Run 3: everything finishes.
    served = await serve({ dataDir });
    const items = await allFinal(served.url, 1 + groups.length, served.output);
    // Order-free findings start before their event's batch, so incidents can be final while the
    // last events still wait for their turn (settleMs): the queue is worked off all the same.
    await waitFor(
      "the inbox worked off",
      async () => (inboxCounts(dataDir).pending === 0 ? true : undefined),
      20_000,
      served.output,
    );

    // Every accepted event has its incident, exactly one per group.
    const ssh = items.filter((item) => item.detection === "sg-ssh-open-world");
    for (const group of groups) {
      const mine = ssh.filter((item) => item.resource?.includes(group));
      expect(mine.length, `incidents for ${group}`).toBe(1);
      expect(mine[0]?.status).toBe("MITIGATED");
    }
    expect(ssh.length).toBe(groups.length);

    // The approval survived both crashes and is still decidable once.
    const still = items.find((item) => item.id === waiting.id);
    expect(still?.status).toBe("AWAITING_APPROVAL");
    const approved = await api(served.url, `/api/incidents/${encodeURIComponent(waiting.id)}/approval`, {
      method: "POST",
      body: { decision: "approve", comment: "after the crash" },
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    await waitFor(
      "the approved incident to finish",
      async () => ((await incidentDetail(served.url, waiting.id)).incident.status === "MITIGATED" ? true : undefined),
      20_000,
      served.output,
    );

    await expectNothingTwice(served.url, await listIncidents(served.url));
    const stopped = await served.stop("SIGTERM");
    expect(stopped.code).toBe(0);
  }, 90_000);
});

// SIGINT is what Ctrl-C sends.
describe.each(["SIGTERM", "SIGINT"] as const)("riposte serve stopped with %s", (signal) => {
  it("logs stopping and stopped, exits 0, and the work it had is finished or picked up after the restart, once", async () => {
    const dataDir = newDir();
    let served = await serve({ dataDir, logLevel: "info" });
    const groups = await burst(served.url, 20, 2, 100);
    const stopped = await served.stop(signal);
    expect(stopped, served.output().slice(-2000)).toEqual({ code: 0, signal: null });
    expect(served.output()).toMatch(new RegExp(`"msg":"stopping".*"signal":"${signal}"`));
    expect(served.output()).toMatch(/"msg":"stopped"/);
    expect(inboxCounts(dataDir).total).toBe(groups.length);

    served = await serve({ dataDir });
    const items = await allFinal(served.url, groups.length, served.output);
    const ssh = items.filter((item) => item.detection === "sg-ssh-open-world");
    for (const group of groups) {
      expect(ssh.filter((item) => item.resource?.includes(group)).map((item) => item.status)).toEqual(["MITIGATED"]);
    }
    await expectNothingTwice(served.url, items);
    expect((await served.stop("SIGTERM")).code).toBe(0);
  }, 60_000);
});
