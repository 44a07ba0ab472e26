import { describe, expect, it } from "vitest";
import { makeDeps } from "../../test/notify/fixtures.js";
import { FINDINGS } from "../../test/workflows/fixtures.js";
import type { Finding } from "../model/incident.js";
import { newIncident } from "./open.js";
import { removesRisk, resolveEarlierIncidents } from "./resolve.js";

const ssh = { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" };
const rdp = { ipProtocol: "tcp", fromPort: 3389, toPort: 3389, cidrIpv4: "0.0.0.0/0" };
const now = new Date("2026-03-10T14:30:00.000Z");
const later = new Date("2026-03-10T15:00:00.000Z");

function opened(finding: Finding, at = now) {
  return newIncident(finding, { executionArn: `arn:exec:${finding.eventIds[0]}`, mode: "dry-run", now: at });
}

function revocation(rules: unknown[]): Finding {
  return {
    ...FINDINGS.network,
    detection: "sg-risk-resolved",
    title: "World-open SSH revoked on sg-0a1b2c3d4e5f60718",
    eventIds: ["evt-revoke-1"],
    facts: { groupId: "sg-0a1b2c3d4e5f60718", rules },
    resolves: { resource: "sg-0a1b2c3d4e5f60718", detections: ["sg-ssh-open-world", "sg-high-risk-port-open"] },
  };
}

describe("removesRisk", () => {
  it.each([
    [{ rules: [ssh] }, { rules: [ssh] }, true],
    [{ rules: [ssh, rdp] }, { rules: [ssh] }, false],
    [{ rules: [{ ...ssh, ruleId: "sgr-1" }] }, { rules: [{ ...rdp, ruleId: "sgr-1" }] }, true],
    [{ rules: [ssh] }, {}, true],
    // Compared as EC2 and remediation compare rules (core/risk): protocol numbers, CIDRs as ranges.
    [{ rules: [ssh] }, { rules: [{ ...ssh, ipProtocol: "6", cidrIpv4: "1.2.3.4/0" }] }, true],
    [
      { rules: [{ ...ssh, cidrIpv4: undefined, cidrIpv6: "::/0" }] },
      { rules: [{ ...ssh, cidrIpv4: undefined, cidrIpv6: "0::0/0" }] },
      true,
    ],
    [
      { rules: [{ ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" }] },
      { rules: [{ ipProtocol: "-1", fromPort: -1, toPort: -1, cidrIpv4: "0.0.0.0/0" }] },
      true,
    ],
  ])("earlier %j, removed %j → %s", (earlier, removed, expected) => {
    expect(removesRisk(earlier, removed)).toBe(expected);
  });
});

describe("resolveEarlierIncidents", () => {
  it("resolves the open incidents on the resource whose rules the event removed", async () => {
    const deps = makeDeps({ overrides: { now: () => later } });
    const earlier = opened(FINDINGS.network);
    const unrelated = opened({ ...FINDINGS.network, eventIds: ["evt-other"], resource: "sg-other" });
    await deps.store.createIncident(earlier);
    await deps.store.createIncident(unrelated);
    const resolver = opened(revocation([ssh]), later);
    await deps.store.createIncident(resolver);

    const resolved = await resolveEarlierIncidents(resolver, deps);

    expect(resolved).toEqual([earlier.id]);
    expect(await deps.store.getIncident(earlier.id)).toMatchObject({ status: "RESOLVED", resolvedBy: resolver.id });
    expect((await deps.store.getIncident(unrelated.id))?.status).toBe("NEW");
  });

  it("leaves an incident whose other risky rule is still open, and one already mitigated", async () => {
    const deps = makeDeps({ overrides: { now: () => later } });
    const both = opened({ ...FINDINGS.network, facts: { ...FINDINGS.network.facts, rules: [ssh, rdp] } });
    const mitigated = opened({ ...FINDINGS.network, eventIds: ["evt-mitigated"] });
    await deps.store.createIncident(both);
    await deps.store.createIncident({ ...mitigated, status: "MITIGATED" });
    const resolver = opened(revocation([ssh]), later);

    expect(await resolveEarlierIncidents(resolver, deps)).toEqual([]);
  });

  it("closes a pending approval of a resolved incident as rejected, resuming its workflow", async () => {
    const deps = makeDeps({ overrides: { now: () => later } });
    const earlier = opened(FINDINGS.network);
    await deps.store.createIncident(earlier);
    await deps.store.putApproval({
      id: "appr-1",
      incidentId: earlier.id,
      taskToken: "token-1",
      createdAt: now.toISOString(),
      expiresAt: later.toISOString(),
      status: "pending",
    });

    await resolveEarlierIncidents(opened(revocation([ssh]), later), deps);

    expect((await deps.store.getApproval("appr-1"))?.status).toBe("rejected");
    const closed = await deps.store.getIncident(earlier.id);
    expect(closed?.approvals).toEqual([
      expect.objectContaining({ id: "appr-1", decision: "reject", approver: "riposte", via: "riposte" }),
    ]);
    expect((await deps.store.listAudit(earlier.id)).map((entry) => entry.action)).toContain("approval.decided");
    expect(deps.callbacks.successes).toEqual([
      { token: "token-1", output: expect.objectContaining({ decision: "reject", approver: "riposte" }) },
    ]);
  });
});
