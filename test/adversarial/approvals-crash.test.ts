import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { IncidentSummary } from "../../core/model/incident.js";
import { sshOpenToWorld } from "../e2e/support/events.js";
import {
  api,
  incidentDetail,
  listIncidents,
  postRecords,
  type Served,
  serve,
  sleep,
  stopAll,
  tempDir,
  waitFor,
} from "../serve/support/riposte.js";

/**
 * Approvals survive `kill -9` at any point of the approval path. A real `riposte serve` (dry-run,
 * no demo, 127.0.0.1) holds incidents awaiting approval; approvals are posted through the
 * dashboard route and the process is killed: at named points (a test-only `--import` hook,
 * support/crash-at.mjs, SIGKILLs it right after a given SQLite write) and at varied moments after
 * the POSTs, sometimes again while it restarts. After the restart on the same data directory every
 * approved incident ends MITIGATED exactly once: one decision, one execution, one dry-run plan in
 * the audit trail per planned action; and a second click answers truthfully.
 */

const HOOK = pathToFileURL(join(import.meta.dirname, "support", "crash-at.mjs")).href;
const dirs: { remove(): void }[] = [];
afterAll(async () => {
  await stopAll();
  for (const dir of dirs) dir.remove();
});

/** A data directory whose configuration makes every SSH-to-the-world incident wait for approval. */
function newDataDir(): { dataDir: string; configPath: string } {
  const dir = tempDir("riposte-approvals-crash-");
  dirs.push(dir);
  const configPath = join(dir.path, "config.json");
  writeFileSync(configPath, JSON.stringify({ detections: { "sg-ssh-open-world": { mode: "approval" } } }));
  return { dataDir: dir.path, configPath };
}

function start(where: { dataDir: string; configPath: string }, crashAt?: string): Promise<Served> {
  const env: Record<string, string> = crashAt
    ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import ${HOOK}`.trim(), RIPOSTE_TEST_CRASH_AT: crashAt }
    : {};
  return serve({ ...where, env }, 60_000); // a loaded machine starts slowly
}

const groupId = (n: number) => `sg-${(0xc0000 + n).toString(16).padStart(17, "0")}`;

/**
 * Open one incident per group and wait until each awaits approval with its task durably waiting
 * (TaskSubmitted in the history), so what is killed afterwards is the approval path; returns their ids.
 */
async function awaitingApproval(served: Served, groups: string[]): Promise<string[]> {
  const base = Date.now() - 3_600_000;
  await postRecords(
    served.url,
    groups.map((group, i) => sshOpenToWorld(group, new Date(base + i * 1000))),
  );
  // Only the SSH incidents: opening several groups in a row also raises a correlated one.
  const mine = (items: IncidentSummary[]) =>
    items.filter((item) => item.detection === "sg-ssh-open-world" && groups.some((g) => item.resource?.includes(g)));
  const waiting = await waitFor(
    `${groups.length} incidents awaiting approval`,
    async () => {
      const items = mine(await listIncidents(served.url));
      if (items.length !== groups.length || items.some((i) => i.status !== "AWAITING_APPROVAL")) return undefined;
      for (const item of items) {
        const history = (await incidentDetail(served.url, item.id)).execution?.history ?? [];
        if (!history.some((event) => event.type === "TaskSubmitted")) return undefined;
      }
      return items;
    },
    30_000,
    served.output,
  );
  return waiting.map((item) => item.id);
}

/** POST an approval; undefined when the process died before it answered. */
async function approve(url: string, id: string, comment = "crash test") {
  try {
    return await api<{ error?: string; message?: string }>(url, `/api/incidents/${encodeURIComponent(id)}/approval`, {
      method: "POST",
      body: { decision: "approve", comment },
    });
  } catch {
    return undefined;
  }
}

async function exited(served: Served): Promise<NodeJS.Signals | null> {
  const { child } = served;
  if (child.exitCode === null && child.signalCode === null) {
    await waitFor(
      "the process to crash at its crash point",
      async () => ((child.signalCode ?? child.exitCode ?? undefined) !== undefined ? true : undefined),
      15_000,
      served.output,
    );
  }
  await served.stop("SIGKILL"); // already dead: just collects the exit
  return child.signalCode;
}

async function allMitigated(served: Served, ids: string[]): Promise<void> {
  await waitFor(
    `${ids.length} approved incidents to be MITIGATED`,
    async () => {
      const items = (await listIncidents(served.url)).filter((item) => ids.includes(item.id));
      return items.length === ids.length && items.every((item) => item.status === "MITIGATED") ? true : undefined;
    },
    20_000,
  ).catch(async (error: Error) => {
    // Name the incidents left behind and what the process said.
    const statuses = (await listIncidents(served.url))
      .filter((i) => ids.includes(i.id))
      .map((i) => `${i.id}: ${i.status}`);
    throw new Error(`${error.message.split("\n")[0]}\n${statuses.join("\n")}\n${served.output().slice(-3000)}`);
  });
}

/**
 * Every incident decided once, run once, remediated (dry-run) once: one decision on the incident
 * and in the audit trail, one execution that waited once, each action audited once, and one
 * dry-run result per planned action. (Dry-run never touches the action ledger; the audit is its record.)
 */
async function expectEachOnce(served: Served, ids: string[]): Promise<void> {
  for (const id of ids) {
    const detail = await incidentDetail(served.url, id);
    const actions = detail.audit.map((entry) => entry.action);
    const count = (action: string) => actions.filter((a) => a === action).length;
    const trail = `${id}: ${actions.join(", ")}`;
    const history = detail.execution?.history ?? [];

    expect(detail.incident.status, trail).toBe("MITIGATED");
    expect(
      detail.incident.approvals.map((a) => a.decision),
      trail,
    ).toEqual(["approve"]);
    expect([count("approval.requested"), count("approval.decided"), count("approval.delivery-failed")], trail).toEqual([
      1, 1, 0,
    ]);
    expect(count("action.dry-run"), trail).toBe(detail.incident.decision?.plan.length);
    for (const action of new Set(actions.filter((a) => a.startsWith("action.")))) expect(count(action), trail).toBe(1);
    expect(
      detail.incident.actions.map((a) => a.mode),
      trail,
    ).toEqual(detail.incident.decision?.plan.map(() => "dry-run"));
    expect(
      ["ExecutionStarted", "TaskSubmitted", "ExecutionSucceeded"].map(
        (type) => history.filter((h) => h.type === type).length,
      ),
      `${id} history`,
    ).toEqual([1, 1, 1]);
  }
}

/** A click on an incident whose decision is saved: 409 saying so, never 404 or a server error. */
async function expectTruthfulSecondClick(url: string, id: string): Promise<void> {
  const again = await approve(url, id);
  expect(again?.status, JSON.stringify(again?.body)).toBe(409);
  expect(JSON.stringify(again?.body)).toMatch(/already (approved|decided)/);
}

// Named crash points on the approval path: the SQLite write each follows. Each click carries its
// own comment, so a point fires for its own decision only, not while an earlier one resumes.
const CRASH_POINTS: { after: string; write: (tag: string) => string }[] = [
  { after: "the decision and its resume record are saved", write: (tag) => `UPDATE approvals SET status.*${tag}` },
  { after: "the decision is on the incident", write: (tag) => `UPDATE incidents.*${tag}` },
  { after: "the decision is in the audit trail", write: (tag) => `INSERT INTO audit.*approval\\.decided.*${tag}` },
  {
    after: "the workflow wrote the decision to its checkpoint",
    write: (tag) => `execution.*\\\\"callback\\\\".*${tag}`,
  },
  {
    after: "remediation moved the incident to PROCESSING",
    write: (tag) => `^(?=.*UPDATE incidents)(?=.*\\\\"PROCESSING\\\\")(?=.*${tag})`,
  },
];

describe("approvals under kill -9 (riposte serve)", () => {
  it("crashes right after each write of the approval path; each approval resumes once after the restart", async () => {
    // One data directory: each restart is armed with the next crash point and first finishes the
    // decision the previous process was killed in.
    const where = newDataDir();
    const ids: string[] = [];
    let served = await start(where, CRASH_POINTS[0]!.write("crash point 0"));
    for (const [n, point] of CRASH_POINTS.entries()) {
      const [id] = await awaitingApproval(served, [groupId(n)]);
      ids.push(id!);

      await approve(served.url, id!, `crash point ${n}`);
      const signal = await exited(served);
      expect(signal, `did not crash after ${point.after}\n${served.output().slice(-2000)}`).toBe("SIGKILL");
      const next = CRASH_POINTS[n + 1];
      served = await start(where, next?.write(`crash point ${n + 1}`));
      await allMitigated(served, [id!]);
      await expectTruthfulSecondClick(served.url, id!);
    }

    await expectEachOnce(served, ids);
    expect((await served.stop("SIGTERM")).code).toBe(0);
  }, 240_000); // about a minute on an idle machine; this bound is for a loaded one

  it("is killed at varied moments after the approvals are posted, and while restarting: each approval once", async () => {
    const where = newDataDir();
    const all: string[] = [];
    let served = await start(where);
    // Moments (ms) after the POSTs are sent; some rounds are killed again this long after restarting.
    const rounds = [{ killAfterMs: 3 }, { killAfterMs: 12, killRestartAfterMs: 5 }, { killAfterMs: 30 }];
    for (const [r, round] of rounds.entries()) {
      const ids = await awaitingApproval(
        served,
        [0, 1, 2].map((i) => groupId(100 + r * 3 + i)),
      );
      all.push(...ids);

      const clicks = ids.map((id) => approve(served.url, id));
      await sleep(round.killAfterMs);
      await served.stop("SIGKILL");
      await Promise.all(clicks);
      served = await start(where);
      if (round.killRestartAfterMs !== undefined) {
        await sleep(round.killRestartAfterMs);
        await served.stop("SIGKILL");
        served = await start(where);
      }

      // Clicking again after the restart: decided now if the first click was lost, else told so.
      for (const id of ids) {
        const again = await approve(served.url, id);
        expect([200, 409], `${id}: ${JSON.stringify(again)}`).toContain(again?.status);
        if (again?.status === 409) expect(JSON.stringify(again.body)).toMatch(/already (approved|decided)/);
      }
      await allMitigated(served, ids);
    }

    await expectEachOnce(served, all);
    expect((await served.stop("SIGTERM")).code).toBe(0);
  }, 240_000); // about a minute on an idle machine; this bound is for a loaded one
});
