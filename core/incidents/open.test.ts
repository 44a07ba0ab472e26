import { describe, expect, it } from "vitest";
import { makeDeps } from "../../test/notify/fixtures.js";
import { FINDINGS } from "../../test/workflows/fixtures.js";
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
});
