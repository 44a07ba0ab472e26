import { describe, expect, it } from "vitest";
import { makeDeps, makeIncident, recordingCallbacks, type TestDeps } from "../../test/notify/fixtures.js";
import { ApprovalAlreadyDecided } from "../errors.js";
import type { ApprovalResult } from "../model/tasks.js";
import { decideApproval } from "./decide.js";
import { requestApproval } from "./request.js";
import { resumeDecidedApprovals } from "./resume.js";

const TOKEN = "rpt1.token-of-the-waiting-approval-task";
const APPROVAL = "appr-0b6f3c1e-2d4a-4e58-9a7b-1c2d3e4f5a6b";

/** Callbacks whose `callbackTaken` resolves when the test says the workflow took the decision. */
function handOffCallbacks(options: { failWith?: string } = {}) {
  const recorded = recordingCallbacks();
  let take: () => void = () => {};
  const taken = new Promise<void>((resolve) => {
    take = resolve;
  });
  return {
    ...recorded,
    async sendTaskSuccess(token: string, output: unknown) {
      if (options.failWith) throw Object.assign(new Error(options.failWith), { name: options.failWith });
      await recorded.sendTaskSuccess(token, output);
    },
    callbackTaken: () => taken,
    take,
  };
}

function deps(callbacks = handOffCallbacks()) {
  return { d: makeDeps({ overrides: { callbacks } }) as TestDeps, callbacks };
}

/** An incident awaiting approval whose decision was saved with its resume record, then the process died. */
async function decidedBeforeCrash(d: TestDeps): Promise<ApprovalResult> {
  const incident = makeIncident({ status: "AWAITING_APPROVAL" });
  await d.store.createIncident(incident);
  await d.store.putApproval({
    id: APPROVAL,
    incidentId: incident.id,
    taskToken: TOKEN,
    createdAt: "2026-03-10T14:29:31.000Z",
    expiresAt: "2026-03-10T15:29:31.000Z",
    status: "pending",
  });
  const result: ApprovalResult = { decision: "approve", approver: "alice", at: "2026-03-10T14:29:40.000Z" };
  await d.store.decideApproval(APPROVAL, "approved", result, { resume: true, via: "dashboard" });
  return result;
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe("resumeDecidedApprovals (start-up)", () => {
  it("records, sends and, once the workflow took it, clears a decision a crash left undelivered", async () => {
    const { d, callbacks } = deps();
    const result = await decidedBeforeCrash(d);

    const resumed = await resumeDecidedApprovals(d);
    const beforeTaken = await d.store.listApprovalsToResume();
    callbacks.take();
    await flush();
    const afterTaken = await d.store.listApprovalsToResume();
    const again = await resumeDecidedApprovals(d);

    expect(resumed).toBe(1);
    expect(beforeTaken.map((approval) => approval.id)).toEqual([APPROVAL]);
    expect(afterTaken).toEqual([]);
    expect(again).toBe(0);
    expect(callbacks.successes).toEqual([{ token: TOKEN, output: result }]);
    const incident = await d.store.getIncident(makeIncident().id);
    expect(incident?.approvals).toEqual([{ id: APPROVAL, ...result, via: "dashboard" }]);
    const audit = (await d.store.listAudit(makeIncident().id)).map((entry) => entry.action);
    expect(audit).toEqual(["approval.decided"]);
  });

  it("clears the record without a second send when no task waits for the token any more", async () => {
    const { d, callbacks } = deps(handOffCallbacks({ failWith: "TaskDoesNotExist" }));
    await decidedBeforeCrash(d);

    const resumed = await resumeDecidedApprovals(d);

    expect(resumed).toBe(0);
    expect(callbacks.successes).toEqual([]);
    expect(await d.store.listApprovalsToResume()).toEqual([]);
    expect((await d.store.listAudit(makeIncident().id)).map((entry) => entry.action)).toEqual(["approval.decided"]);
  });

  it("keeps the record for the next start when sending fails for another reason", async () => {
    const { d } = deps(handOffCallbacks({ failWith: "InterpreterClosed" }));
    await decidedBeforeCrash(d);

    await resumeDecidedApprovals(d);

    expect((await d.store.listApprovalsToResume()).map((approval) => approval.id)).toEqual([APPROVAL]);
  });
});

describe("deciding and resuming", () => {
  it("clears the resume record only when the workflow has taken the decision", async () => {
    const { d, callbacks } = deps();
    const incident = makeIncident({ status: "AWAITING_APPROVAL" });
    await d.store.createIncident(incident);
    await d.store.putApproval({
      id: APPROVAL,
      incidentId: incident.id,
      taskToken: TOKEN,
      createdAt: "2026-03-10T14:29:31.000Z",
      expiresAt: "2099-01-01T00:00:00.000Z",
      status: "pending",
    });

    await decideApproval({ incidentId: incident.id, decision: "approve", approver: "alice", via: "dashboard" }, d);
    const sent = await d.store.getApproval(APPROVAL);
    callbacks.take();
    await flush();
    const taken = await d.store.getApproval(APPROVAL);

    expect(sent).toMatchObject({ status: "approved", via: "dashboard", resumePending: true });
    expect(taken?.resumePending).toBeUndefined();
    expect(callbacks.successes).toHaveLength(1);
  });

  it("tells a second click after a crash that the decision is being resumed, not that nothing exists", async () => {
    const { d } = deps();
    await decidedBeforeCrash(d);

    const again = decideApproval(
      { incidentId: makeIncident().id, decision: "approve", approver: "bob", via: "dashboard" },
      d,
    );

    await expect(again).rejects.toThrow(ApprovalAlreadyDecided);
    await expect(again).rejects.toThrow(/already approved by alice .*resuming with that decision/);
  });

  it("answers a re-run request with the decision already saved for its task, asking nobody again", async () => {
    const { d, callbacks } = deps();
    const result = await decidedBeforeCrash(d);
    const incident = (await d.store.getIncident(makeIncident().id))!;

    const { approvalId } = await requestApproval(
      { incident, decision: { route: "approval", reason: "r", plan: [] }, taskToken: TOKEN },
      d,
    );

    expect(approvalId).toBe(APPROVAL);
    expect(callbacks.successes).toEqual([{ token: TOKEN, output: result }]);
    expect(await d.store.listPendingApprovals()).toEqual([]);
    expect((await d.store.listAudit(incident.id)).map((entry) => entry.action)).not.toContain("approval.requested");
  });
});
