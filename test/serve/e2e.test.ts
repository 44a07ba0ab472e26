import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IncidentDetailResponse } from "../../core/model/api.js";
import type { IncidentChangedMessage, IncidentCreatedMessage } from "../../core/model/messages.js";
import { isFinalStatus } from "../../core/model/status.js";
import {
  api,
  connectLive,
  incidentDetail,
  type LiveClient,
  listIncidents,
  postRecords,
  type Served,
  serve,
  stopAll,
  tempDir,
  waitFor,
} from "./support/riposte.js";
import { CATEGORY_SCENARIOS, type ServeScenario } from "./support/scenarios.js";

/**
 * `riposte serve` in its own process, driven over HTTP and watched over the WebSocket as the
 * dashboard does: one scenario per category reaches its final status, with its workflow
 * execution recorded, and one waiting for approval finishes once approved through the API.
 */

const dir = tempDir("riposte-serve-e2e-");
let served: Served;
let live: LiveClient;
const incidents = new Map<ServeScenario, string>();

beforeAll(async () => {
  served = await serve({ dataDir: dir.path });
  live = await connectLive(served.url);
  // One at a time, so each new incident is known to belong to the scenario just posted.
  for (const scenario of CATEGORY_SCENARIOS) {
    const before = new Set((await listIncidents(served.url)).map((item) => item.id));
    await postRecords(served.url, scenario.records);
    const id = await waitFor(
      `an incident for ${scenario.detection}`,
      async () => (await listIncidents(served.url)).find((item) => !before.has(item.id))?.id,
      20_000,
      served.output,
    );
    incidents.set(scenario, id);
  }
}, 60_000);

afterAll(async () => {
  live?.close();
  const result = await served?.stop("SIGTERM");
  await stopAll();
  dir.remove();
  expect(result?.code).toBe(0);
});

const created = (id: string) =>
  live.messages.find((m): m is IncidentCreatedMessage => m.type === "incident.created" && m.incident.id === id);
const changes = (id: string) =>
  live.messages.filter((m): m is IncidentChangedMessage => m.type === "incident.changed" && m.id === id);

async function settled(id: string, status: string): Promise<IncidentDetailResponse> {
  return waitFor(
    `${id} to reach ${status}`,
    async () => {
      const detail = await incidentDetail(served.url, id);
      return detail.incident.status === status ? detail : undefined;
    },
    20_000,
    () => JSON.stringify(live.messages.filter((m) => m.type !== "heartbeat")),
  );
}

describe("riposte serve end to end (child process, REST and WebSocket)", () => {
  it("covers every category with one incident each", () => {
    const categories = new Set(CATEGORY_SCENARIOS.map((s) => s.category));
    expect([...categories].sort()).toEqual(["identity", "logging", "network", "storage", "threat"]);
    expect(new Set(incidents.values()).size).toBe(CATEGORY_SCENARIOS.length);
  });

  for (const scenario of CATEGORY_SCENARIOS) {
    it(`${scenario.category}: ${scenario.detection} reaches ${scenario.final} in the API and over /ws`, async () => {
      const id = incidents.get(scenario)!;
      const detail = await settled(id, scenario.final);
      expect(detail.incident).toMatchObject({ detection: scenario.detection, category: scenario.category });

      // The WebSocket told of its creation and of every move, ending in the same status.
      await waitFor(`/ws to show ${id} at ${scenario.final}`, async () =>
        created(id) && changes(id).at(-1)?.status === scenario.final ? true : undefined,
      );
      expect(created(id)?.incident).toMatchObject({ detection: scenario.detection, category: scenario.category });
      const versions = changes(id).map((m) => m.version);
      expect(versions).toEqual([...versions].sort((a, b) => a - b));

      // The execution history is recorded: started, its states, and the end.
      const execution = detail.execution;
      expect(execution, "the incident detail shows its execution").toBeDefined();
      expect(execution?.name).toBe(id);
      expect(execution?.history[0]?.type).toBe("ExecutionStarted");
      const entered = execution?.history.filter((h) => h.type.endsWith("StateEntered")) ?? [];
      expect(entered.length).toBeGreaterThan(2);
      if (scenario.awaitsApproval) {
        expect(execution?.status).toBe("RUNNING");
        expect(detail.audit.map((a) => a.action)).toContain("approval.requested");
      } else {
        expect(isFinalStatus(scenario.final)).toBe(true);
        expect(execution?.status).toBe("SUCCEEDED");
        expect(execution?.history.at(-1)?.type).toBe("ExecutionSucceeded");
      }
    });
  }

  it("an incident awaiting approval is approved through POST /api/incidents/:id/approval and finishes", async () => {
    const scenario = CATEGORY_SCENARIOS.find((s) => s.awaitsApproval)!;
    const id = incidents.get(scenario)!;
    await settled(id, "AWAITING_APPROVAL");

    const approval = await api<{ decision: string; approver: string }>(
      served.url,
      `/api/incidents/${encodeURIComponent(id)}/approval`,
      { method: "POST", body: { decision: "approve", comment: "e2e: confirmed with the key's owner" } },
    );
    expect(approval.status, JSON.stringify(approval.body)).toBe(200);
    expect(approval.body.decision).toBe("approve");

    const detail = await settled(id, "MITIGATED");
    expect(detail.execution?.status).toBe("SUCCEEDED");
    const actions = detail.audit.map((a) => a.action);
    expect(actions).toContain("approval.requested");
    expect(actions.filter((a) => a === "approval.decided" || a.startsWith("approval.approved")).length).toBe(1);
    await waitFor(`/ws to show ${id} MITIGATED`, async () =>
      changes(id).at(-1)?.status === "MITIGATED" ? true : undefined,
    );
    const statuses = changes(id).map((m) => m.status);
    expect(statuses).toContain("AWAITING_APPROVAL");
    expect(statuses.indexOf("AWAITING_APPROVAL")).toBeLessThan(statuses.indexOf("MITIGATED"));

    // A second decision is refused: the approval was consumed.
    const again = await api(served.url, `/api/incidents/${encodeURIComponent(id)}/approval`, {
      method: "POST",
      body: { decision: "reject" },
    });
    expect(again.status).toBeGreaterThanOrEqual(400);
  });

  it("refuses /ws and the API without the token", async () => {
    const response = await fetch(`${served.url}/api/incidents`);
    expect(response.status).toBe(401);
    await expect(
      new Promise((resolve, reject) => {
        import("ws").then(({ default: WebSocket }) => {
          const socket = new WebSocket(`${served.url.replace("http", "ws")}/ws?token=wrong-token-000000`);
          socket.once("open", () => resolve("open"));
          socket.once("error", reject);
        });
      }),
    ).rejects.toThrow(/401/);
  });
});
