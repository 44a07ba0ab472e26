import { describe, expect, it } from "vitest";
import { makeDeps } from "../../test/notify/fixtures.js";
import { FINDINGS } from "../../test/workflows/fixtures.js";
import type { Finding } from "../model/incident.js";
import { newIncident } from "./open.js";
import { removesRisk, resolvedOnOpen, resolveEarlierIncidents } from "./resolve.js";

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

describe("resolving by event time, whichever incident opened first", () => {
  const at = (iso: string) => ({ time: iso });
  const rule = { ...FINDINGS.network, ...at("2026-03-10T14:29:00Z") };
  const revokedLater = { ...revocation([ssh]), ...at("2026-03-10T14:40:00Z") };
  const revokedBefore = { ...revocation([ssh]), ...at("2026-03-10T14:20:00Z") };

  it("a resolver resolves an incident earlier in event time that was opened after it", async () => {
    // Arrange: the revoke's incident opened first (delivered first), the rule's afterwards.
    const deps = makeDeps({ overrides: { now: () => later } });
    const resolver = opened(revokedLater, now);
    await deps.store.createIncident(resolver);
    const earlier = opened(rule, later);
    await deps.store.createIncident(earlier);

    // Act
    const resolved = await resolveEarlierIncidents(resolver, deps);

    // Assert
    expect(resolved).toEqual([earlier.id]);
  });

  it("a resolver leaves an incident later in event time (the rule opened again after the revoke)", async () => {
    // Arrange: the rule's incident opened first, but its event came after the revoke.
    const deps = makeDeps({ overrides: { now: () => later } });
    const reopened = opened(rule, now);
    await deps.store.createIncident(reopened);
    const resolver = opened(revokedBefore, later);
    await deps.store.createIncident(resolver);

    // Act
    const resolved = await resolveEarlierIncidents(resolver, deps);

    // Assert
    expect(resolved).toEqual([]);
    expect((await deps.store.getIncident(reopened.id))?.status).toBe("NEW");
  });

  it("an incident opened after the resolver of its risk is RESOLVED on opening, audited", async () => {
    // Arrange
    const deps = makeDeps({ overrides: { now: () => later } });
    const resolver = opened(revokedLater, later);
    await deps.store.createIncident(resolver);
    const earlier = opened(rule, later);
    await deps.store.createIncident(earlier);

    // Act
    const resolved = await resolvedOnOpen(earlier, deps);

    // Assert
    expect(resolved).toMatchObject({ id: earlier.id, status: "RESOLVED", resolvedBy: resolver.id });
    expect((await deps.store.listAudit(earlier.id)).map((entry) => entry.action)).toContain("incident.resolved");
  });

  it("an incident opened after a resolver earlier in event time, or of other rules, stays open", async () => {
    // Arrange: a revoke before the rule was opened, and a later revoke of another port only.
    const deps = makeDeps({ overrides: { now: () => later } });
    await deps.store.createIncident(opened(revokedBefore, now));
    await deps.store.createIncident(
      opened({ ...revocation([rdp]), eventIds: ["evt-revoke-rdp"], ...at("2026-03-10T14:50:00Z") }, now),
    );
    const incident = opened(rule, later);
    await deps.store.createIncident(incident);

    // Act
    const resolved = await resolvedOnOpen(incident, deps);

    // Assert
    expect(resolved).toBeUndefined();
    expect((await deps.store.getIncident(incident.id))?.status).toBe("NEW");
  });

  const at1600 = new Date("2026-03-10T16:00:00.000Z");
  it.each([
    ["its event more than an hour after the incident's", { ...revokedLater, time: "2026-03-10T15:30:00Z" }, at1600],
    ["its event time ahead of when it was opened", { ...revokedLater, time: "2026-03-10T15:20:00Z" }, later],
    ["posted to the intake, the incident not", { ...revokedLater, fromIntake: true }, later],
    ["an event time that does not parse", { ...revokedLater, time: "not a time" }, at1600],
  ])("a resolver does not resolve an incident on opening with %s", async (_case, resolverFinding, openedAt) => {
    // Arrange: the rule's event at 14:29, its incident opened after the resolver.
    const deps = makeDeps({ overrides: { now: () => at1600 } });
    await deps.store.createIncident(opened(resolverFinding as Finding, openedAt));
    const incident = opened(rule, at1600);
    await deps.store.createIncident(incident);

    // Act
    const resolved = await resolvedOnOpen(incident, deps);

    // Assert
    expect(resolved).toBeUndefined();
  });

  it("a resolver posted to the intake resolves an intake incident on opening", async () => {
    // Arrange
    const deps = makeDeps({ overrides: { now: () => later } });
    await deps.store.createIncident(opened({ ...revokedLater, fromIntake: true }, later));
    const incident = opened({ ...rule, fromIntake: true }, later);
    await deps.store.createIncident(incident);

    // Act
    const resolved = await resolvedOnOpen(incident, deps);

    // Assert
    expect(resolved?.status).toBe("RESOLVED");
  });
});
