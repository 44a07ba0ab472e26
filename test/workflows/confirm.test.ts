import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ConfigInput } from "../../core/config/schema.js";
import { answerConfirmation } from "../../core/confirm/answer.js";
import { ApprovalAlreadyDecided, NotTheActor } from "../../core/errors.js";
import { type FakeSlack, startFakeSlack } from "../support/fake-slack.js";
import { FINDINGS } from "./fixtures.js";
import { createWorkflowHarness, type WorkflowHarness, type WorkflowRun } from "./harness.js";

/**
 * "Was this you?" through the network workflow (SSH opened to the world, remediated
 * automatically by default) in the local interpreter with the real tasks: the actor mapped from
 * the principal is DMed by the fake Slack; No pages on-call and remediates at once, Yes waits
 * the configured hours then remediates, no answer (or nobody to ask) takes the default response.
 */

const finding = FINDINGS.network;
const ACTOR = "U0ALICE";
const DM = "D0ALICE";
const CONFIRMING = ["Ask the actor first?", "Ask the actor: was this you?"];
const REMEDIATING = [
  "Remediate the target",
  "Remediation held back?",
  "Live change?",
  "Verify the fix",
  "Risk removed?",
];

let slack: FakeSlack;
beforeAll(() => {
  process.env.AWS_ACCESS_KEY_ID = "testing";
  process.env.AWS_SECRET_ACCESS_KEY = "testing";
});
beforeEach(async () => {
  slack = await startFakeSlack();
});
afterEach(async () => {
  await slack.close();
});

const confirmationConfig = (table: Record<string, string> = { [finding.principal]: ACTOR }): ConfigInput => ({
  confirmation: { detections: [finding.detection], timeoutMinutes: 30, keepHoursMax: 4, actors: { table } },
});

function harness(config: ConfigInput = confirmationConfig()): WorkflowHarness {
  return createWorkflowHarness({ slack, config: { ...config, remediation: { verify: { attempts: 1 } } } });
}

/** The id the DM's buttons carry (the only thing a click sends back). */
function askedConfirmationId(): string {
  const dm = slack.messages.find((message) => message.channel === DM);
  const actions = (dm?.blocks ?? []).find((block) => (block as { type?: string }).type === "actions") as
    | { elements: { action_id: string; value: string; text: { text: string } }[] }
    | undefined;
  expect(actions?.elements.map((button) => [button.action_id, button.text.text])).toEqual([
    ["riposte.confirm.yes", "Yes, keep it for 4 h"],
    ["riposte.confirm.no", "No"],
  ]);
  return actions?.elements[0]?.value ?? "";
}

async function audit(h: WorkflowHarness, run: WorkflowRun, action: string) {
  return (await h.store.listAudit(run.incidentId)).filter((entry) => entry.action === action);
}

describe("was this you?", () => {
  it("No: on-call is paged at once (a broadcast escalation) and the change is remediated", async () => {
    const h = harness();
    const { incidentId, executionArn } = await h.start(finding);
    await h.settle(h.clock.now());
    const waiting = await h.read(incidentId, executionArn);
    expect(waiting.execution.status).toBe("RUNNING");
    expect(waiting.states.slice(-2)).toEqual(CONFIRMING);

    await answerConfirmation({ confirmationId: askedConfirmationId(), answer: "no", user: ACTOR }, h.engine.deps);
    await h.settle(h.clock.now());
    const run = await h.read(incidentId, executionArn);

    expect(run.states.slice(run.states.indexOf("Ask the actor first?"))).toEqual([
      ...CONFIRMING,
      "Was it the actor?",
      "Not the actor: page on-call",
      ...REMEDIATING,
      "Close as mitigated",
      "Record the outcome",
      "Announce the outcome",
      "Incident closed",
    ]);
    expect(run.incident.status).toBe("MITIGATED");
    expect(run.incident.actions.length).toBeGreaterThan(0);
    const escalation = slack.messages.find((message) => message.replyBroadcast);
    expect(JSON.stringify(escalation?.blocks)).toContain("NotTheActor");
    expect(JSON.stringify(escalation?.blocks)).toContain("answered No");
    expect(await audit(h, run, "confirmation.answered")).toEqual([
      expect.objectContaining({ actor: ACTOR, detail: expect.objectContaining({ answer: "no", via: "slack" }) }),
    ]);
  });

  it("Yes: the answer is audited, the workflow waits the configured hours from the answer, then remediates", async () => {
    const h = harness();
    const { incidentId, executionArn } = await h.start(finding);
    await h.settle(h.clock.now());
    const answeredAt = h.clock.now();
    await answerConfirmation({ confirmationId: askedConfirmationId(), answer: "yes", user: ACTOR }, h.engine.deps);
    await h.settle(answeredAt);
    await h.settle(answeredAt + 4 * 3_600_000 - 1_000);
    const kept = await h.read(incidentId, executionArn);
    expect(kept.execution.status).toBe("RUNNING");
    expect(kept.states.at(-1)).toBe("Keep the change until the revert time");
    expect(kept.incident.actions).toEqual([]);

    await h.settle();
    const run = await h.read(incidentId, executionArn);
    expect(run.incident.status).toBe("MITIGATED");
    expect(run.states).not.toContain("Not the actor: page on-call");
    const waited = run.history.find((event) => event.type === "WaitStateExited");
    expect(Date.parse(waited?.timestamp ?? "")).toBe(answeredAt + 4 * 3_600_000);
    expect(await audit(h, run, "confirmation.answered")).toEqual([
      expect.objectContaining({ actor: ACTOR, detail: expect.objectContaining({ answer: "yes" }) }),
    ]);
    expect(slack.messages.some((message) => message.replyBroadcast)).toBe(false);
  });

  it("no answer in time: the detection's default response (here automatic remediation)", async () => {
    const h = harness();
    const { incidentId, executionArn } = await h.start(finding);
    const start = h.clock.now();
    await h.settle(start + 30 * 60_000 - 1_000);
    expect((await h.read(incidentId, executionArn)).execution.status).toBe("RUNNING");
    await h.settle();
    const run = await h.read(incidentId, executionArn);

    expect(run.states).toContain("No answer: the detection's default response");
    expect(run.states).not.toContain("Was it the actor?");
    expect(run.states).toContain("Approval required?");
    expect(run.incident.status).toBe("MITIGATED");
    const timedOut = run.history.find((event) => event.type === "TaskTimedOut");
    expect(Date.parse(timedOut?.timestamp ?? "")).toBe(start + 30 * 60_000);
  });

  it("nobody to ask (the principal maps to no Slack user): the default response, no DM", async () => {
    const h = harness(confirmationConfig({ "arn:aws:iam::123456789012:user/someone-else": ACTOR }));
    const run = await h.run(finding);
    expect(run.states).toContain("Nobody to ask: the detection's default response");
    expect(run.incident.status).toBe("MITIGATED");
    expect(slack.messages.some((message) => message.channel.startsWith("D"))).toBe(false);
  });

  it("a question closed by Riposte (not the actor's click) takes the default response, never the No path", async () => {
    const h = harness();
    const { incidentId, executionArn } = await h.start(finding);
    await h.settle(h.clock.now());
    const asked = await h.store.getApproval(askedConfirmationId());
    // As closing the approvals of an incident a later event resolved does (core/incidents/resolve.ts).
    await h.engine.callbacks.sendTaskSuccess(asked?.taskToken ?? "", {
      decision: "reject",
      approver: "riposte",
      at: new Date(h.clock.now()).toISOString(),
      comment: "resolved by a later event",
    });
    await h.settle();
    const run = await h.read(incidentId, executionArn);

    expect(run.states).toContain("Was it the actor?");
    expect(run.states).not.toContain("Not the actor: page on-call");
    expect(run.states).toContain("Approval required?");
    expect(slack.messages.some((message) => message.replyBroadcast)).toBe(false);
  });

  it("only the asked actor answers, once; another user's click is refused and audited", async () => {
    const h = harness();
    const { incidentId, executionArn } = await h.start(finding);
    await h.settle(h.clock.now());
    const confirmationId = askedConfirmationId();

    await expect(
      answerConfirmation({ confirmationId, answer: "no", user: "U0MALLORY" }, h.engine.deps),
    ).rejects.toBeInstanceOf(NotTheActor);
    await h.settle(h.clock.now());
    expect((await h.read(incidentId, executionArn)).states.at(-1)).toBe("Ask the actor: was this you?");

    await answerConfirmation({ confirmationId, answer: "yes", user: ACTOR }, h.engine.deps);
    await expect(
      answerConfirmation({ confirmationId, answer: "no", user: ACTOR }, h.engine.deps),
    ).rejects.toBeInstanceOf(ApprovalAlreadyDecided);
    await h.settle();
    const run = await h.read(incidentId, executionArn);
    expect(run.states).not.toContain("Not the actor: page on-call");
    expect(await audit(h, run, "confirmation.refused")).toEqual([
      expect.objectContaining({ actor: "U0MALLORY", detail: expect.objectContaining({ answer: "no" }) }),
    ]);
  });
});
