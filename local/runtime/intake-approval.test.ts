import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../core/config/load.js";
import { silentLogger } from "../../core/log.js";
import type { Incident } from "../../core/model/incident.js";
import { SCENARIOS } from "../../test/fixtures/events/scenarios.js";
import { type Runtime, startRuntime } from "./runtime.js";

/**
 * Events posted to `POST /api/events` (anyone with the intake token can make them up) never
 * change real resources by themselves: an incident they found waits for approval, saying why,
 * unless `remediation.autoRemediateIntake` is set.
 */

const TOKEN = "intake-approval-dashboard-token-0123";
const INTAKE_TOKEN = "intake-approval-intake-token-4567";
const RECORDS = SCENARIOS.find((s) => s.detection === "sg-ssh-open-world" && s.name === "tcp/22 from 0.0.0.0/0")
  ?.records as unknown[];

const runtimes: Runtime[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function serve(config: unknown): Promise<Runtime> {
  const dir = mkdtempSync(join(tmpdir(), "riposte-intake-approval-"));
  dirs.push(dir);
  const runtime = await startRuntime({
    host: "127.0.0.1",
    port: 0,
    dataDir: dir,
    config: parseConfig(config),
    demo: false,
    token: TOKEN,
    env: { RIPOSTE_INTAKE_TOKEN: INTAKE_TOKEN },
    logger: silentLogger,
  });
  runtimes.push(runtime);
  return runtime;
}

const post = (runtime: Runtime, token: string) =>
  fetch(`${runtime.url}/api/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ Records: RECORDS }),
  });

async function settled(runtime: Runtime, statuses: string[]): Promise<Incident> {
  let found: Incident | undefined;
  await expect
    .poll(
      async () => {
        const [summary] = (await runtime.store.listIncidents({ limit: 10 })).items;
        found = summary ? await runtime.store.getIncident(summary.id) : undefined;
        return found && statuses.includes(found.status);
      },
      { timeout: 20_000 },
    )
    .toBe(true);
  return found as Incident;
}

describe("incidents from the event intake", () => {
  it("wait for approval by default, with the reason recorded; the dashboard token cannot post", async () => {
    const runtime = await serve({});

    const byDashboard = await post(runtime, TOKEN);
    const byIntake = await post(runtime, INTAKE_TOKEN);
    const incident = await settled(runtime, ["AWAITING_APPROVAL", "MITIGATED", "FAILED"]);

    expect(byDashboard.status).toBe(401);
    expect(byIntake.status).toBe(202);
    expect(incident.status).toBe("AWAITING_APPROVAL");
    expect(incident.fromIntake).toBe(true);
    expect(incident.decision).toMatchObject({
      route: "approval",
      reason: expect.stringContaining("the events were posted to POST /api/events"),
      approval: { onTimeout: "reject" },
    });
  }, 30_000);

  it("are remediated like any other with remediation.autoRemediateIntake", async () => {
    const runtime = await serve({ remediation: { autoRemediateIntake: true } });

    await post(runtime, INTAKE_TOKEN);
    const incident = await settled(runtime, ["AWAITING_APPROVAL", "MITIGATED", "FAILED"]);

    expect(incident.status).toBe("MITIGATED");
    expect(incident.decision?.route).toBe("auto");
  }, 30_000);
});
