import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import type { HealthResponse } from "../../core/model/api.js";
import { CATEGORIES } from "../../core/model/catalog.js";
import type { IncidentSummary } from "../../core/model/incident.js";
import { DEMO_GROUP, demoStoryline } from "../../local/demo/storyline.js";
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
} from "./support/riposte.js";
import { CATEGORY_SCENARIOS } from "./support/scenarios.js";

/**
 * `riposte serve` with the demo, as `npm start` runs it (no RIPOSTE_DASHBOARD_TOKEN), paced
 * faster through the configuration's `runtime.demoSeconds`: the printed dashboard link carries
 * the token in its fragment, the storyline opens its 20 incidents of every category along every
 * workflow path (a later revoke resolving an earlier one included), and the demo never replays
 * into a store that already has incidents.
 */

const dirs: { path: string; remove(): void }[] = [];
afterAll(async () => {
  await stopAll();
  for (const dir of dirs) dir.remove();
});

function newDir() {
  const dir = tempDir("riposte-serve-demo-");
  dirs.push(dir);
  return dir.path;
}

function fastDemoConfig(dataDir: string): string {
  const path = join(dataDir, "config.json"); // removed with the data directory
  // The storyline happens "now": working hours all week long keep the off-hours score factor
  // (19:00-08:00 UTC and weekends by default) from moving incidents across the remediation
  // threshold depending on when the test runs.
  const allHours = { start: 0, end: 24, days: [0, 1, 2, 3, 4, 5, 6] };
  writeFileSync(path, JSON.stringify({ runtime: { demoSeconds: 8 }, scoring: { workingHours: allHours } }));
  return path;
}

function inboxRows(dataDir: string): number {
  const db = new Database(join(dataDir, "detection.db"), { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM inbox").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function dashboardToken(served: Served): { url: string; token: string } {
  const match = served.output().match(/Dashboard: (http:\/\/127\.0\.0\.1:\d+)\/#token=([A-Za-z0-9_-]+)\s/);
  if (!match) throw new Error(`no dashboard link with #token= printed:\n${served.output()}`);
  return { url: match[1]!, token: match[2]! };
}

const expectedDetections = new Set(
  demoStoryline("any-run", Date.now()).flatMap((step) => (step.kind === "records" ? step.expect : [])),
);

describe("riposte serve with the demo", () => {
  it("prints the dashboard link with the token and fills the store with every category and workflow path", async () => {
    const dataDir = newDir();
    const config = fastDemoConfig(dataDir);
    let served = await serve({ dataDir, demo: true, noToken: true, configPath: config, logLevel: "info" });
    const { url, token } = dashboardToken(served);
    expect(url).toBe(served.url);
    expect(token.length).toBeGreaterThanOrEqual(16);

    const items = await waitFor(
      "the demo's incidents on every path",
      async () => {
        const list = await listIncidents(served.url, token);
        const statuses = new Set(list.map((item) => item.status));
        const detections = new Set(list.map((item) => item.detection));
        const done =
          served.output().includes("demo storyline finished") &&
          [...expectedDetections].every((id) => detections.has(id)) &&
          ["AWAITING_APPROVAL", "MITIGATED", "NOTIFIED", "DISMISSED", "RESOLVED"].every((s) =>
            statuses.has(s as never),
          ) &&
          !list.some((item) => ["NEW", "TRIAGED", "PROCESSING"].includes(item.status));
        return done ? list : undefined;
      },
      45_000,
      served.output,
    );
    // What the README promises: 20 incidents across all five categories. The storyline is
    // deterministic (virtual event times, one scripted decision), so the tally is exact.
    expect(items.length, JSON.stringify(items.map((item) => [item.detection, item.status]))).toBe(20);
    expect(new Set(items.map((item) => item.category))).toEqual(new Set(CATEGORIES));
    const tally: Record<string, number> = {};
    for (const item of items) tally[item.status] = (tally[item.status] ?? 0) + 1;
    expect(tally).toEqual({ NOTIFIED: 9, MITIGATED: 6, AWAITING_APPROVAL: 3, DISMISSED: 1, RESOLVED: 1 });
    // The scripted rejection: svc-reports' anomalous key use, decided on the dashboard's path by "demo (scripted)".
    const rejected = items.filter((item: IncidentSummary) => item.status === "DISMISSED");
    expect(rejected.map((item) => [item.detection, item.principal])).toEqual([
      ["access-key-anomalous-use", expect.stringContaining("svc-reports")],
    ]);
    const decision = (await incidentDetail(served.url, rejected[0]!.id, token)).incident.approvals;
    expect(decision.map((a) => [a.decision, a.approver, a.via])).toEqual([["reject", "demo (scripted)", "dashboard"]]);

    // Bob revokes both world-open rules (sg-risk-resolved, itself notify-only): the production-tag
    // violation, still waiting for approval, becomes RESOLVED by that incident; the SSH and RDP
    // incidents were already mitigated (dry-run) and keep that outcome.
    const onGroup = (detection: string) =>
      items.filter((item) => item.detection === detection && item.resource === DEMO_GROUP.groupId);
    const [revoked] = onGroup("sg-risk-resolved");
    expect(revoked?.status).toBe("NOTIFIED");
    const [tagViolation] = onGroup("sg-prod-tag-violation");
    expect(tagViolation?.status).toBe("RESOLVED");
    const resolved = await incidentDetail(served.url, tagViolation!.id, token);
    expect(resolved.incident.resolvedBy).toBe(revoked!.id);
    expect(resolved.incident.transitions.map((t) => t.to)).toContain("AWAITING_APPROVAL");
    // Its waiting approval is closed so the workflow ends: it neither remediates nor overwrites RESOLVED.
    const actions = resolved.audit.map((entry) => entry.action);
    expect(
      actions.filter((action) => action.startsWith("action.")),
      actions.join(", "),
    ).toEqual([]);
    expect(resolved.audit).toContainEqual(
      expect.objectContaining({
        action: "status.kept",
        detail: expect.objectContaining({ requested: "DISMISSED", status: "RESOLVED" }),
      }),
    );
    for (const detection of ["sg-ssh-open-world", "sg-high-risk-port-open"]) {
      expect(
        onGroup(detection).map((item) => item.status),
        detection,
      ).toEqual(["MITIGATED"]);
    }

    // The demo source reports itself in /api/health (to the token's holder: names are detail).
    const health = (await api<HealthResponse>(served.url, "/api/health", { token })).body;
    expect(health.sources?.map((source) => source.name)).toContain("demo");

    // Restarted on the same (now non-empty) store, the demo does not play again.
    await waitFor("the demo to finish", async () =>
      served.output().includes("demo storyline finished") ? true : undefined,
    );
    const count = (await listIncidents(served.url, token)).length;
    expect((await served.stop("SIGTERM")).code).toBe(0);
    const rows = inboxRows(dataDir);
    served = await serve({ dataDir, demo: true, noToken: true, configPath: config });
    await sleep(3_000);
    const { token: second } = dashboardToken(served);
    expect(inboxRows(dataDir)).toBe(rows);
    expect((await listIncidents(served.url, second)).length).toBe(count);
    expect(inboxRows(dataDir)).toBe(rows);
    expect((await served.stop("SIGTERM")).code).toBe(0);
  }, 70_000);

  it("does not start on a store that already has incidents", async () => {
    const dataDir = newDir();
    const config = fastDemoConfig(dataDir);
    let served = await serve({ dataDir, configPath: config });
    await postRecords(served.url, CATEGORY_SCENARIOS[0]!.records);
    await waitFor("the posted incident", async () =>
      (await listIncidents(served.url)).length === 1 ? true : undefined,
    );
    expect((await served.stop("SIGTERM")).code).toBe(0);

    served = await serve({ dataDir, demo: true, configPath: config, logLevel: "info" });
    await sleep(3_000); // a third of the demo's duration: its first steps would have played
    expect(inboxRows(dataDir)).toBe(1);
    expect((await listIncidents(served.url)).length).toBe(1);
    expect(served.output()).not.toMatch(/demo storyline starting/);
    expect((await served.stop("SIGTERM")).code).toBe(0);
  }, 40_000);
});
