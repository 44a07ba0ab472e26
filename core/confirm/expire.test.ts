import { describe, expect, it } from "vitest";
import { makeDeps, makeIncident } from "../../test/notify/fixtures.js";
import { expireApprovals } from "../approval/expire.js";

/** A "was this you?" nobody answered expires quietly: no approval record, no incident notice. */
describe("expiring confirmations", () => {
  it("closes the question and audits it, without recording an approval timeout or notifying", async () => {
    const deps = makeDeps();
    const incident = makeIncident({ status: "TRIAGED" });
    await deps.store.createIncident(incident);
    const expiresAt = new Date(deps.now().getTime() - 1000).toISOString();
    await deps.store.putApproval({
      id: "conf-0123456789",
      incidentId: incident.id,
      taskToken: "token",
      createdAt: expiresAt,
      expiresAt,
      status: "pending",
    });

    expect(await expireApprovals(deps)).toEqual([]);

    expect((await deps.store.getApproval("conf-0123456789"))?.status).toBe("expired");
    expect((await deps.store.getIncident(incident.id))?.approvals).toEqual([]);
    const audit = await deps.store.listAudit(incident.id);
    expect(audit.map((entry) => entry.action)).toEqual(["confirmation.expired"]);
    expect(deps.callbacks.successes).toEqual([]);
  });
});
