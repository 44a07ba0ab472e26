import { describe, expect, it } from "vitest";
import { makeDeps } from "../../test/notify/fixtures.js";
import { FINDINGS } from "../../test/workflows/fixtures.js";
import type { ExceptionRecord } from "../model/exception.js";
import type { Finding } from "../model/incident.js";
import { incidentIdFor } from "./id.js";
import { newIncident, openIncident } from "./open.js";

const execution = { id: "arn:aws:states:us-east-1:000000000000:execution:riposte-network:one", name: "one" };

describe("newIncident", () => {
  it("is NEW, named after its events, in the runtime's mode, with its creating transition", () => {
    const now = new Date("2026-03-10T14:30:00.000Z");

    const incident = newIncident(FINDINGS.network, { executionArn: execution.id, mode: "dry-run", now });

    expect(incident).toMatchObject({
      id: incidentIdFor(FINDINGS.network),
      status: "NEW",
      version: 1,
      mode: "dry-run",
      createdAt: now.toISOString(),
      executionArn: execution.id,
      transitions: [{ from: null, to: "NEW", by: "open" }],
    });
  });
});

describe("openIncident", () => {
  it("stores the incident, audits it, and hands it on without its evidence", async () => {
    const deps = makeDeps();

    const { incident, duplicate } = await openIncident(FINDINGS.network, execution, deps);

    expect(duplicate).toBe(false);
    expect("evidence" in incident).toBe(false);
    expect((await deps.store.getIncident(incident.id))?.evidence).toEqual(FINDINGS.network.evidence);
    expect((await deps.store.listAudit(incident.id)).map((entry) => entry.action)).toEqual(["incident.opened"]);
  });

  it("reports a delivery another execution already opened as a duplicate", async () => {
    const deps = makeDeps();
    await openIncident(FINDINGS.network, execution, deps);

    const second = await openIncident(FINDINGS.network, { id: `${execution.id}-again`, name: "again" }, deps);

    expect(second.duplicate).toBe(true);
    expect(await deps.store.listAudit(second.incident.id)).toHaveLength(1);
  });

  it("lets the same execution continue when its open task is retried", async () => {
    const deps = makeDeps();
    await openIncident(FINDINGS.network, execution, deps);

    const retried = await openIncident(FINDINGS.network, execution, deps);

    expect(retried.duplicate).toBe(false);
  });

  it("opens an incident RESOLVED when a later revoke of its rule was delivered and opened first", async () => {
    // Arrange: the revoke's event is two minutes after the rule's, its incident already open.
    const deps = makeDeps();
    const revoke: Finding = {
      ...FINDINGS.network,
      detection: "sg-risk-resolved",
      eventIds: ["evt-revoke"],
      time: new Date(Date.parse(FINDINGS.network.time) + 120_000).toISOString(),
      resolves: { resource: FINDINGS.network.resource, detections: ["sg-ssh-open-world"] },
    };
    const resolver = await openIncident(revoke, { id: `${execution.id}-revoke`, name: "revoke" }, deps);

    // Act
    const opened = await openIncident(FINDINGS.network, execution, deps);

    // Assert: the workflow carries it on RESOLVED (triage then leaves it alone).
    expect(opened).toMatchObject({ duplicate: false, suppressed: false });
    expect(opened.incident).toMatchObject({ status: "RESOLVED", resolvedBy: resolver.incident.id });
    expect((await deps.store.listAudit(opened.incident.id)).map((entry) => entry.action)).toEqual([
      "incident.opened",
      "incident.resolved",
    ]);
  });

  describe("with time-boxed exceptions", () => {
    const finding = FINDINGS.network;
    const exception = (overrides: Partial<ExceptionRecord> = {}): ExceptionRecord => ({
      id: "slk-bastion",
      detection: "sg-ssh-open-world",
      scope: { kind: "principal", value: finding.principal },
      owner: "U0APPROVER",
      reason: "bastion rebuild",
      createdAt: "2020-01-01T00:00:00Z",
      expiresAt: new Date(Date.parse(finding.time) + 3600_000).toISOString(),
      createdBy: "slack:U0APPROVER",
      source: "slack",
      ...overrides,
    });

    it("records a covered finding as SUPPRESSED, naming the exception, and says so", async () => {
      const deps = makeDeps();
      await deps.store.putException(exception());

      const opened = await openIncident(finding, execution, deps);
      const stored = await deps.store.getIncident(opened.incident.id);
      const audit = await deps.store.listAudit(opened.incident.id);

      expect(opened.suppressed).toBe(true);
      expect(stored?.status).toBe("SUPPRESSED");
      expect(stored?.suppressedBy).toMatchObject({ exceptionId: "slk-bastion", owner: "U0APPROVER" });
      expect(stored?.transitions.map((transition) => [transition.to, transition.reason])).toEqual([
        ["NEW", "detected by sg-ssh-open-world"],
        ["SUPPRESSED", expect.stringContaining("covered by exception slk-bastion")],
      ]);
      expect(audit.map((entry) => entry.action)).toEqual(["incident.opened", "incident.suppressed"]);
    });

    it("suppresses with an exception declared in the configuration", async () => {
      const deps = makeDeps({
        config: {
          exceptions: {
            declared: [
              {
                id: "alice-sandbox",
                detection: "sg-ssh-open-world",
                principal: "alice",
                owner: "platform",
                reason: "sandbox account",
                expiresAt: new Date(Date.now() + 24 * 3600_000).toISOString(),
              },
            ],
          },
        },
        overrides: { now: () => new Date(finding.time) },
      });

      const opened = await openIncident({ ...finding, time: new Date().toISOString() }, execution, deps);

      expect(opened.suppressed).toBe(true);
      expect(opened.incident.suppressedBy?.exceptionId).toBe("cfg-alice-sandbox");
    });

    it("leaves the finding alone when the exception expired, is for another detection or another principal", async () => {
      const deps = makeDeps();
      await deps.store.putException(exception({ id: "expired", expiresAt: finding.time }));
      await deps.store.putException(exception({ id: "other-detection", detection: "sg-created-open" }));
      await deps.store.putException(exception({ id: "other-principal", scope: { kind: "principal", value: "bob" } }));

      const opened = await openIncident(finding, execution, deps);

      expect(opened.suppressed).toBe(false);
      expect((await deps.store.getIncident(opened.incident.id))?.status).toBe("NEW");
    });

    it("stops again when its open task is retried", async () => {
      const deps = makeDeps();
      await deps.store.putException(exception());
      await openIncident(finding, execution, deps);

      const retried = await openIncident(finding, execution, deps);

      expect(retried).toMatchObject({ duplicate: false, suppressed: true });
      expect(await deps.store.listAudit(retried.incident.id)).toHaveLength(2);
    });
  });
});
