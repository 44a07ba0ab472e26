import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { makeDeps, makeIncident } from "../../test/notify/fixtures.js";
import { type FakeSlack, startFakeSlack } from "../../test/support/fake-slack.js";
import type { ConfigInput } from "../config/schema.js";
import { ApprovalAlreadyDecided, InvalidInput, NotAnApprover, NotFound } from "../errors.js";
import type { Decision, Incident } from "../model/incident.js";
import { decideApproval } from "./decide.js";
import { expireApprovals } from "./expire.js";
import { requestApproval } from "./request.js";

const APPROVER = "U0APPROVER";
const TOKEN = "AQCEAAAAKgAAAAMAAAAAAAAAAd1kTaskTokenThatMustNeverLeave";

const decision: Decision = {
  route: "approval",
  reason: "production-tagged target: approval required",
  plan: [
    {
      action: "revoke-sg-rules",
      target: "sg-0a1b2c3d",
      description: "Revoke tcp/22 from 0.0.0.0/0 on sg-0a1b2c3d",
      destructive: false,
      calls: [],
      permissions: ["ec2:RevokeSecurityGroupIngress"],
    },
  ],
  approval: { timeoutSeconds: 600, onTimeout: "reject" },
};

let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(async () => {
  await slack.close();
});
afterEach(() => {
  slack.heal();
  slack.calls.length = 0;
  slack.messages.length = 0;
});

function deps(config: ConfigInput = {}) {
  return makeDeps({
    config: {
      notify: { slack: { channel: "#security", retries: 0 } },
      approval: { slackApprovers: [APPROVER] },
      ...config,
    },
    overrides: { secrets: { slackBotToken: slack.token, slackApiUrl: slack.apiUrl } },
  });
}

async function triaged(d: ReturnType<typeof deps>, overrides: Partial<Incident> = {}): Promise<Incident> {
  const incident = makeIncident({ status: "TRIAGED", decision, ...overrides });
  await d.store.createIncident(incident);
  return incident;
}

/** The approval buttons (the exception buttons are another actions block). */
function buttonsOf(message: { blocks?: unknown[] } | undefined): { action_id: string; value: string }[] {
  const blocks = (message?.blocks ?? []) as {
    type: string;
    block_id?: string;
    elements?: { action_id: string; value: string }[];
  }[];
  return blocks.find((block) => block.type === "actions" && block.block_id === "riposte.approval")?.elements ?? [];
}

describe("requestApproval", () => {
  it("keeps the token server-side, shows buttons with the approval id, and waits", async () => {
    const d = deps();
    const incident = await triaged(d);

    const { approvalId } = await requestApproval({ incident, decision, taskToken: TOKEN }, d);

    expect(approvalId).toMatch(/^appr-[0-9a-f-]{36}$/);
    expect(await d.store.getApproval(approvalId)).toEqual({
      id: approvalId,
      incidentId: incident.id,
      taskToken: TOKEN,
      createdAt: d.now().toISOString(),
      expiresAt: new Date(d.now().getTime() + 600_000).toISOString(),
      status: "pending",
    });
    const stored = await d.store.getIncident(incident.id);
    expect(stored?.status).toBe("AWAITING_APPROVAL");
    expect(stored?.transitions.at(-1)).toMatchObject({ to: "AWAITING_APPROVAL", by: "approval" });
    const main = slack.messages.find((message) => message.threadTs === undefined);
    expect(buttonsOf(main).map((button) => [button.action_id, button.value])).toEqual([
      ["riposte.approve", approvalId],
      ["riposte.reject", approvalId],
    ]);
    expect(JSON.stringify(main?.blocks)).toContain("Revoke tcp/22 from 0.0.0.0/0 on sg-0a1b2c3d");
    expect(JSON.stringify(slack.calls)).not.toContain(TOKEN);
    expect((await d.store.listAudit(incident.id)).map((entry) => entry.action)).toEqual(["approval.requested"]);
    expect(JSON.stringify(await d.store.listAudit(incident.id))).not.toContain(TOKEN);
  });

  it("retires the buttons of an earlier request for the same incident", async () => {
    const d = deps();
    const incident = await triaged(d);
    const first = await requestApproval({ incident, decision, taskToken: "token-1" }, d);

    const second = await requestApproval({ incident, decision, taskToken: "token-2" }, d);

    expect((await d.store.getApproval(first.approvalId))?.status).toBe("expired");
    expect((await d.store.getApproval(second.approvalId))?.status).toBe("pending");
    await expect(
      decideApproval({ approvalId: first.approvalId, decision: "approve", approver: APPROVER, via: "slack" }, d),
    ).rejects.toThrow(ApprovalAlreadyDecided);
  });

  it("answers at once when a later event already settled the incident", async () => {
    const d = deps();
    const incident = await triaged(d, { status: "RESOLVED" });

    const { approvalId } = await requestApproval({ incident, decision, taskToken: TOKEN }, d);

    expect(d.callbacks.successes).toEqual([
      {
        token: TOKEN,
        output: {
          decision: "reject",
          approver: "riposte",
          at: d.now().toISOString(),
          comment: "incident already RESOLVED",
        },
      },
    ]);
    expect((await d.store.getApproval(approvalId))?.status).toBe("rejected");
    expect(slack.calls).toHaveLength(0);
  });

  it("still waits for a decision when Slack is down (the dashboard can decide)", async () => {
    const d = deps();
    const incident = await triaged(d);
    slack.fail("*", { status: 503 });

    const { approvalId } = await requestApproval({ incident, decision, taskToken: TOKEN }, d);

    expect((await d.store.getApproval(approvalId))?.status).toBe("pending");
    expect((await d.store.getIncident(incident.id))?.notifications?.failures?.[0]?.channel).toBe("slack");
  });
});

describe("decideApproval", () => {
  async function waiting(d: ReturnType<typeof deps>) {
    const incident = await triaged(d);
    const { approvalId } = await requestApproval({ incident, decision, taskToken: TOKEN }, d);
    return { incident, approvalId };
  }

  it("resumes the workflow, records who decided and updates the Slack message", async () => {
    const d = deps();
    const { incident, approvalId } = await waiting(d);

    const response = await decideApproval({ approvalId, decision: "approve", approver: APPROVER, via: "slack" }, d);

    const at = d.now().toISOString();
    expect(response).toEqual({ incidentId: incident.id, decision: "approve", approver: APPROVER, at });
    expect(d.callbacks.successes).toEqual([{ token: TOKEN, output: { decision: "approve", approver: APPROVER, at } }]);
    expect((await d.store.getApproval(approvalId))?.status).toBe("approved");
    const stored = await d.store.getIncident(incident.id);
    expect(stored?.approvals).toEqual([{ id: approvalId, decision: "approve", approver: APPROVER, at, via: "slack" }]);
    expect((await d.store.listAudit(incident.id)).map((entry) => entry.action)).toEqual([
      "approval.requested",
      "approval.decided",
    ]);
    const main = slack.messages.find((message) => message.threadTs === undefined);
    expect(buttonsOf(main)).toEqual([]);
    expect(JSON.stringify(main?.blocks)).toContain(`Approved by <@${APPROVER}> (slack)`);
    const notes = slack.replies(main?.channel ?? "", main?.ts ?? "").map((reply) => JSON.stringify(reply.blocks));
    expect(notes.some((note) => note.includes(`Approved by <@${APPROVER}> via slack`))).toBe(true);
  });

  it("is single use: a second decision changes nothing", async () => {
    const d = deps();
    const { approvalId } = await waiting(d);
    await decideApproval({ approvalId, decision: "approve", approver: APPROVER, via: "slack" }, d);

    const second = decideApproval({ approvalId, decision: "reject", approver: APPROVER, via: "slack" }, d);

    await expect(second).rejects.toThrow(ApprovalAlreadyDecided);
    await expect(second).rejects.toThrow(`was already approved by ${APPROVER}`);
    expect(d.callbacks.successes).toHaveLength(1);
  });

  it("lets exactly one of two simultaneous clicks through", async () => {
    const d = deps();
    const { approvalId } = await waiting(d);

    const results = await Promise.allSettled([
      decideApproval({ approvalId, decision: "approve", approver: APPROVER, via: "slack" }, d),
      decideApproval({ approvalId, decision: "reject", approver: APPROVER, via: "slack" }, d),
    ]);

    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    expect(d.callbacks.successes).toHaveLength(1);
  });

  it("refuses a Slack user who is not an approver, and audits the attempt", async () => {
    const d = deps();
    const { incident, approvalId } = await waiting(d);

    const attempt = decideApproval({ approvalId, decision: "approve", approver: "U0MALLORY", via: "slack" }, d);

    await expect(attempt).rejects.toThrow(NotAnApprover);
    expect(d.callbacks.successes).toHaveLength(0);
    expect((await d.store.getApproval(approvalId))?.status).toBe("pending");
    expect((await d.store.listAudit(incident.id)).at(-1)).toMatchObject({
      actor: "U0MALLORY",
      action: "approval.refused",
      detail: { approvalId, decision: "approve", via: "slack" },
    });
  });

  it("decides from the dashboard by incident id, with a comment", async () => {
    const d = deps();
    const { incident } = await waiting(d);

    await decideApproval(
      { incidentId: incident.id, decision: "reject", approver: "dashboard", comment: "not now", via: "dashboard" },
      d,
    );

    expect(d.callbacks.successes[0]?.output).toMatchObject({
      decision: "reject",
      approver: "dashboard",
      comment: "not now",
    });
    expect((await d.store.getIncident(incident.id))?.approvals[0]).toMatchObject({
      via: "dashboard",
      comment: "not now",
    });
    await expect(
      decideApproval({ incidentId: incident.id, decision: "approve", approver: "dashboard", via: "dashboard" }, d),
    ).rejects.toThrow(ApprovalAlreadyDecided);
  });

  it("refuses the dashboard when configured so", async () => {
    const d = deps({ approval: { slackApprovers: [APPROVER], allowDashboard: false } });
    const { incident } = await waiting(d);

    await expect(
      decideApproval({ incidentId: incident.id, decision: "approve", approver: "dashboard", via: "dashboard" }, d),
    ).rejects.toThrow(NotAnApprover);
  });

  it("refuses an expired request", async () => {
    const d = deps();
    const { approvalId } = await waiting(d);
    const later = new Date(d.now().getTime() + 601_000);
    d.now = () => later;

    await expect(
      decideApproval({ approvalId, decision: "approve", approver: APPROVER, via: "slack" }, d),
    ).rejects.toThrow("expired");
    expect(d.callbacks.successes).toHaveLength(0);
  });

  it.each([
    [{ approvalId: "appr-unknown" }, NotFound],
    [{ incidentId: "no-such-incident" }, NotFound],
    [{}, InvalidInput],
  ])("refuses %j", async (target, error) => {
    const d = deps();

    await expect(
      decideApproval({ ...target, decision: "approve", approver: APPROVER, via: "slack" }, d),
    ).rejects.toThrow(error);
  });

  it("reports a workflow that cannot be resumed and audits it", async () => {
    const d = deps();
    const { incident, approvalId } = await waiting(d);
    d.callbacks.sendTaskSuccess = async () => {
      throw Object.assign(new Error("Task Timed Out"), { name: "TaskTimedOut" });
    };

    await expect(
      decideApproval({ approvalId, decision: "approve", approver: APPROVER, via: "slack" }, d),
    ).rejects.toThrow("Task Timed Out");
    expect((await d.store.listAudit(incident.id)).at(-1)).toMatchObject({ action: "approval.delivery-failed" });
  });
});

describe("expireApprovals", () => {
  it("closes unanswered requests, records the timeout and updates the message", async () => {
    const d = deps();
    const incident = await triaged(d);
    const { approvalId } = await requestApproval({ incident, decision, taskToken: TOKEN }, d);
    const early = await expireApprovals(d);
    const later = new Date(d.now().getTime() + 601_000);
    d.now = () => later;

    const expired = await expireApprovals(d);
    const again = await expireApprovals(d);

    expect(early).toEqual([]);
    expect(expired).toEqual([approvalId]);
    expect(again).toEqual([]);
    expect((await d.store.getApproval(approvalId))?.status).toBe("expired");
    const stored = await d.store.getIncident(incident.id);
    expect(stored?.approvals).toEqual([
      expect.objectContaining({ id: approvalId, decision: "timeout", approver: "timeout", via: "timeout" }),
    ]);
    expect(stored?.approvals[0]?.comment).toContain("the policy's default (reject) applies");
    expect((await d.store.listAudit(incident.id)).at(-1)).toMatchObject({
      action: "approval.expired",
      actor: "timeout",
    });
    const main = slack.messages.find((message) => message.threadTs === undefined);
    expect(buttonsOf(main)).toEqual([]);
    expect(JSON.stringify(main?.blocks)).toContain("No decision in time");
    expect(d.callbacks.successes).toEqual([]);
  });
});
