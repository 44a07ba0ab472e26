import { describe, expect, it } from "vitest";
import { makeDeps } from "../../test/notify/fixtures.js";
import { FINDINGS } from "../../test/workflows/fixtures.js";
import { newIncident } from "./open.js";
import { describeError, recordStatus } from "./record.js";

describe("describeError", () => {
  it.each([
    [
      {
        Error: "TransientError",
        Cause: JSON.stringify({ errorType: "TransientError", errorMessage: "EC2 throttled" }),
      },
      "TransientError: EC2 throttled",
    ],
    [{ state: "Verify the fix", error: "VerificationFailed", cause: "still open" }, "VerificationFailed: still open"],
    [{ Error: "States.Timeout", Cause: "" }, "States.Timeout"],
    ["plain", "plain"],
    [undefined, undefined],
  ])("%j → %j", (error, expected) => {
    expect(describeError(error)).toBe(expected);
  });

  it("keeps a long cause to 500 characters", () => {
    expect(describeError({ error: "E", cause: "x".repeat(2000) })?.length).toBe(500);
  });
});

describe("recordStatus", () => {
  it("moves the incident to the final status with the reason and the error, and audits it", async () => {
    const deps = makeDeps();
    const incident = newIncident(FINDINGS.network, { executionArn: "arn:exec", mode: "dry-run", now: deps.now() });
    await deps.store.createIncident(incident);

    const result = await recordStatus(
      {
        incidentId: incident.id,
        status: "FAILED",
        reason: "Remediate the target failed",
        by: "workflow",
        error: { error: "TransientError", cause: "throttled" },
      },
      deps,
    );

    expect(result).toEqual({ incidentId: incident.id, status: "FAILED", version: 2 });
    const stored = await deps.store.getIncident(incident.id);
    expect(stored?.transitions.at(-1)).toMatchObject({
      to: "FAILED",
      by: "workflow",
      reason: "Remediate the target failed (TransientError: throttled)",
    });
    expect((await deps.store.listAudit(incident.id)).at(-1)).toMatchObject({ action: "status.recorded" });
  });

  it("never regresses: a RESOLVED incident stays RESOLVED, and the record says what it is", async () => {
    const deps = makeDeps();
    const incident = newIncident(FINDINGS.network, { executionArn: "arn:exec", mode: "dry-run", now: deps.now() });
    await deps.store.createIncident({ ...incident, status: "RESOLVED" });

    const result = await recordStatus(
      { incidentId: incident.id, status: "DISMISSED", reason: "rejected", by: "workflow" },
      deps,
    );

    expect(result.status).toBe("RESOLVED");
    expect((await deps.store.listAudit(incident.id)).at(-1)).toMatchObject({
      action: "status.kept",
      detail: { requested: "DISMISSED", status: "RESOLVED" },
    });
  });
});
