import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../core/config/load.js";
import { silentLogger } from "../../core/log.js";
import type { Incident } from "../../core/model/incident.js";
import { consoleLogin, IP, identity, UA } from "../../test/fixtures/events/cloudtrail.js";
import { type Runtime, startRuntime } from "./runtime.js";

/**
 * `riposte serve` in-process: the console sign-in detections keep their baselines in the SQLite
 * correlation store, and the enrich task of the incident's workflow reads them (as it was before
 * the incident's own sign-in) for principals that have no earlier incident.
 */

const TOKEN = "baselines-test-token-0123456789";
const INTAKE_TOKEN = "baselines-intake-token-0123456789";
const runtimes: Runtime[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function post(runtime: Runtime, records: unknown[]): Promise<void> {
  const response = await fetch(`${runtime.url}/api/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${INTAKE_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ Records: records }),
  });
  expect(response.status).toBe(202);
}

/** The scored new-device incident of `user` (its workflow has enriched and scored it). */
async function scoredNewDevice(runtime: Runtime, user: string): Promise<Incident> {
  let found: Incident | undefined;
  await expect
    .poll(
      async () => {
        const { items } = await runtime.store.listIncidents({ limit: 100 });
        const summary = items.find(
          (item) => item.detection === "console-login-new-device" && item.principal.endsWith(`:user/${user}`),
        );
        found = summary ? await runtime.store.getIncident(summary.id) : undefined;
        return found?.score !== undefined;
      },
      { timeout: 15_000 },
    )
    .toBe(true);
  return found as Incident;
}

describe("principal baselines through the local runtime", () => {
  it("scores a new device from a known address without new-IP, and from an unknown one with it", async () => {
    // Arrange: bob and carol signed in from London with Chrome; three hours later (no travel), bob
    // again from London with Firefox, carol from Sweden with Firefox. Neither had an incident.
    const dir = mkdtempSync(join(tmpdir(), "riposte-baselines-"));
    dirs.push(dir);
    const runtime = await startRuntime({
      host: "127.0.0.1",
      port: 0,
      dataDir: dir,
      config: parseConfig({}),
      demo: false,
      token: TOKEN,
      env: { RIPOSTE_INTAKE_TOKEN: INTAKE_TOKEN },
      logger: silentLogger,
    });
    runtimes.push(runtime);
    const signIn = (user: string, time: string, ip: string, userAgent: string) =>
      consoleLogin(true, { user: identity.user(user), time, ip, userAgent, mfa: true });

    // Act
    await post(runtime, [
      signIn("bob", "2026-03-10T08:00:00Z", IP.london, UA.chrome),
      signIn("carol", "2026-03-10T08:00:00Z", IP.london, UA.chrome),
      signIn("bob", "2026-03-10T11:00:00Z", IP.london, UA.firefox),
      signIn("carol", "2026-03-10T11:00:00Z", IP.sweden, UA.firefox),
    ]);
    const bob = await scoredNewDevice(runtime, "bob");
    const carol = await scoredNewDevice(runtime, "carol");

    // Assert
    const factorsOf = (incident: Incident) => incident.score?.factors.map((factor) => factor.id);
    expect(bob.enrichment?.principal).toMatchObject({
      firstSeen: "2026-03-10T08:00:00.000Z",
      knownIps: [IP.london],
      knownDevices: 1,
      newIp: false,
      newAsn: false,
      newDevice: true,
      priorIncidents: 0,
    });
    expect(factorsOf(bob)).not.toContain("new-ip");
    // Carol's sign-in also opened a new-IP incident: the same sign-in, not history.
    expect(carol.enrichment?.principal).toMatchObject({ knownIps: [IP.london], newIp: true, newAsn: true });
    expect(factorsOf(carol)).toEqual(expect.arrayContaining(["new-ip", "new-asn", "new-device"]));
  });
});
