import { GetUserPolicyCommand } from "@aws-sdk/client-iam";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { config } from "../../test/remediation/fixtures.js";
import { taskDeps } from "../../test/remediation/harness.js";
import { mockAws } from "../../test/remediation/mock-aws.js";
import { MemoryActionLedger } from "../store/memory-ledger.js";
import { temporaryDenyDocument } from "./analysis/iam-policy.js";
import { sweepExpiredChanges } from "./sweep.js";

const aws = mockAws();
afterAll(() => aws.restore());

async function ledgerWithDeny(expiresAt: string) {
  const ledger = new MemoryActionLedger();
  await ledger.record({
    id: "d1",
    at: "2026-03-02T10:05:00Z",
    action: "iam-deny-temporarily",
    target: "user alice",
    incidentId: "inc-1",
  });
  await ledger.setExpiry("d1", expiresAt, { userName: "alice" });
  return ledger;
}

describe("sweepExpiredChanges", () => {
  beforeEach(() => aws.reset());

  it("deletes an expired temporary deny and records it in the incident's audit trail", async () => {
    const ledger = await ledgerWithDeny("2026-03-02T10:35:00Z");
    aws.iam
      .on(GetUserPolicyCommand)
      .resolves({ PolicyDocument: temporaryDenyDocument(new Date("2026-03-02T10:35:00Z")) });
    const deps = taskDeps(config(), { ledger, now: () => new Date("2026-03-02T10:40:00Z") });

    const result = await sweepExpiredChanges(deps);

    expect(result).toEqual({ removed: ["d1"], pending: [], failed: [] });
    expect(aws.inputs("DeleteUserPolicyCommand")).toEqual([
      { UserName: "alice", PolicyName: "riposte-temporary-deny" },
    ]);
    expect(await ledger.due("2026-03-03T00:00:00Z")).toEqual([]);
    expect((await deps.store.listAudit("inc-1")).map((e) => e.action)).toEqual(["action.expired"]);
  });

  it("leaves a deny re-applied with a later end until then", async () => {
    const ledger = await ledgerWithDeny("2026-03-02T10:35:00Z");
    aws.iam
      .on(GetUserPolicyCommand)
      .resolves({ PolicyDocument: temporaryDenyDocument(new Date("2026-03-02T11:30:00Z")) });
    const deps = taskDeps(config(), { ledger, now: () => new Date("2026-03-02T10:40:00Z") });

    const result = await sweepExpiredChanges(deps);

    expect(result.pending).toEqual(["d1"]);
    expect(aws.inputs("DeleteUserPolicyCommand")).toEqual([]);
    expect((await ledger.due("2026-03-02T11:30:00Z")).map((e) => e.expiresAt)).toEqual(["2026-03-02T11:30:00.000Z"]);
  });

  it("does nothing outside live mode, and keeps going past a failing entry", async () => {
    const ledger = await ledgerWithDeny("2026-03-02T10:35:00Z");
    aws.iam
      .on(GetUserPolicyCommand)
      .rejects(Object.assign(new Error("denied"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } }));
    const now = () => new Date("2026-03-02T10:40:00Z");

    const dryRun = await sweepExpiredChanges(taskDeps(config(), { ledger, now, mode: "dry-run" }));
    const live = await sweepExpiredChanges(taskDeps(config(), { ledger, now }));

    expect(dryRun).toEqual({ removed: [], pending: [], failed: [] });
    expect(live.failed).toEqual([{ id: "d1", error: expect.stringMatching(/AccessDenied/) }]);
    expect(aws.inputs("DeleteUserPolicyCommand")).toEqual([]);
  });
});
