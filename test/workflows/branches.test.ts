import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { decideApproval } from "../../core/approval/decide.js";
import type { ConfigInput } from "../../core/config/schema.js";
import { CATEGORIES, type Category } from "../../core/model/catalog.js";
import type { ExceptionRecord } from "../../core/model/exception.js";
import type { HistoryEvent } from "../../core/model/history.js";
import type { IncidentStatus } from "../../core/model/status.js";
import { type FakeSlack, startFakeSlack } from "../support/fake-slack.js";
import { validateAsl } from "./asl-validator.js";
import { type AwsBehaviour, mockAws } from "./aws-mocks.js";
import { FINDINGS, withoutRemediation } from "./fixtures.js";
import { createWorkflowHarness, SLACK_CHANNEL, type WorkflowHarness, type WorkflowRun } from "./harness.js";

/**
 * Every category's workflow, end to end in the local interpreter with the real task handlers,
 * through every branch an incident can take. Slack is the fake Slack server; in live mode the
 * AWS SDK clients answer from mocks (aws-sdk-client-mock).
 */

const OPENING = ["Open the incident", "Already being handled?", "Enrich the incident", "Score the incident"];
const TRIAGE = [...OPENING, "Dismiss without notice?", "Notify the responders", "Remediation planned?"];
const CLOSING = ["Record the outcome", "Announce the outcome", "Incident closed"];
const VERIFYING = ["Verify the fix", "Risk removed?"];
const REMEDIATING = ["Remediate the target", "Remediation held back?", "Live change?"];
const LIVE_REMEDIATING = [...REMEDIATING, "Wait for the change to take effect"];
const FAILING = ["Record failure", "Escalate the failure", "Workflow failed"];
const APPROVING = ["Ask the actor first?", "Approval required?", "Request approval", "Approval granted?"];

beforeAll(() => {
  // Live mode signs its (mocked) AWS calls; the SDK needs credentials to do so.
  process.env.AWS_ACCESS_KEY_ID = "testing";
  process.env.AWS_SECRET_ACCESS_KEY = "testing";
});

// A Slack of its own per test: incidents of the same finding share an id across tests.
let slack: FakeSlack;
let restoreAws: (() => void) | undefined;
beforeEach(async () => {
  slack = await startFakeSlack();
});
afterEach(async () => {
  restoreAws?.();
  restoreAws = undefined;
  await slack.close();
});

function harness(options: { config?: ConfigInput; live?: AwsBehaviour } = {}): WorkflowHarness {
  if (options.live) restoreAws = mockAws(options.live);
  return createWorkflowHarness({
    slack,
    mode: options.live ? "live" : "dry-run",
    config: { ...options.config, remediation: { verify: { attempts: 1 }, ...options.config?.remediation } },
  });
}

function statuses(run: WorkflowRun): IncidentStatus[] {
  return run.incident.transitions.map((transition) => transition.to);
}

function taskEvents(history: HistoryEvent[]): string[] {
  return history.filter((event) => event.type.startsWith("Task") && !event.type.includes("State")).map((e) => e.type);
}

/** The incident's Slack message and its thread, as the channel shows them. */
function slackThread(incidentId: string) {
  const top = slack.messages.find(
    (message) => message.threadTs === undefined && JSON.stringify(message.blocks ?? message.text).includes(incidentId),
  );
  return { top, replies: top ? slack.replies(top.channel, top.ts) : [] };
}

function expectHistoryWellFormed(history: HistoryEvent[]) {
  expect(history[0]?.type).toBe("ExecutionStarted");
  expect(history.map((event) => event.id)).toEqual(history.map((_, index) => index + 1));
  for (const event of history.slice(1)) expect(event.previousEventId).toBeLessThan(event.id);
}

const approvalConfig = (category: Category, onApprovalTimeout?: "approve" | "reject"): ConfigInput => ({
  detections: { [FINDINGS[category].detection]: { mode: "approval" } },
  ...(onApprovalTimeout ? { remediation: { onApprovalTimeout } } : {}),
});

describe.each(CATEGORIES)("the %s workflow", (category) => {
  const finding = FINDINGS[category];

  it("auto: remediates (dry-run), verifies and ends MITIGATED, status by status", async () => {
    const h = harness();

    const run = await h.run(finding);

    expect(run.execution.status).toBe("SUCCEEDED");
    expect(run.execution.output).toEqual({ incidentId: run.incidentId, status: "MITIGATED" });
    expect(run.states).toEqual([
      ...TRIAGE,
      "Ask the actor first?",
      "Approval required?",
      ...REMEDIATING,
      ...VERIFYING,
      "Close as mitigated",
      ...CLOSING,
    ]);
    expect(statuses(run)).toEqual(["NEW", "TRIAGED", "PROCESSING", "MITIGATED"]);
    expect(run.incident.mode).toBe("dry-run");
    expect(run.incident.actions.length).toBeGreaterThan(0);
    for (const action of run.incident.actions) {
      expect(action).toMatchObject({ mode: "dry-run", outcome: "dry-run" });
      expect(action.calls.length).toBeGreaterThan(0);
    }
    expect(run.incident.verification?.verified).toBe(true);
    expect(taskEvents(run.history).filter((type) => type === "TaskSucceeded")).toHaveLength(8);
    expectHistoryWellFormed(run.history);
    expect(slackThread(run.incidentId).top).toBeDefined();
  });

  it("below the remediation threshold: notifies and records NOTIFIED, changing nothing", async () => {
    const h = harness({ config: { scoring: { remediateAt: 90 } } });

    const run = await h.run(finding);

    expect(run.states).toEqual([...TRIAGE, "Close as notified", ...CLOSING]);
    expect(statuses(run)).toEqual(["NEW", "TRIAGED", "NOTIFIED"]);
    expect(run.incident.transitions.at(-1)?.reason).toMatch(/below the remediation threshold 90/);
    expect(run.incident.actions).toEqual([]);
    expect(slackThread(run.incidentId).top).toBeDefined();
  });

  it("covered by a time-boxed exception: SUPPRESSED at once, naming it, without a notice or a remediation", async () => {
    const h = harness();
    await h.store.putException({
      id: `slk-${category}`,
      detection: finding.detection as ExceptionRecord["detection"],
      scope: finding.principal
        ? { kind: "principal", value: finding.principal }
        : { kind: "resource", value: finding.resource },
      owner: "U0APPROVER",
      reason: "expected during the migration",
      createdAt: "2026-03-10T00:00:00Z",
      expiresAt: "2026-03-11T00:00:00Z",
      createdBy: "slack:U0APPROVER",
      source: "slack",
    });

    const run = await h.run(finding);

    expect(run.execution.status).toBe("SUCCEEDED");
    expect(run.execution.output).toEqual({
      incidentId: run.incidentId,
      status: "SUPPRESSED",
      exceptionId: `slk-${category}`,
    });
    expect(run.states).toEqual(["Open the incident", "Already being handled?", "Suppressed by an exception"]);
    expect(statuses(run)).toEqual(["NEW", "SUPPRESSED"]);
    expect(run.incident.suppressedBy?.exceptionId).toBe(`slk-${category}`);
    expect(run.incident.actions).toEqual([]);
    expect(slackThread(run.incidentId).top).toBeUndefined();
  });

  it("below the dismissal threshold: dismissed without a notice", async () => {
    const h = harness({ config: { scoring: { dismissBelow: 90, remediateAt: 90 } } });

    const run = await h.run(finding);

    expect(run.states).toEqual([...OPENING, "Dismiss without notice?", "Close as dismissed", ...CLOSING]);
    expect(statuses(run)).toEqual(["NEW", "TRIAGED", "DISMISSED"]);
    expect(run.incident.transitions.at(-1)?.reason).toMatch(/below the dismissal threshold 90/);
    expect(slackThread(run.incidentId).top).toBeUndefined();
  });

  it("no remediation exists: notifies and records NOTIFIED with the reason", async () => {
    const h = harness();

    const run = await h.run(withoutRemediation(category));

    expect(run.states).toEqual([...TRIAGE, "Close as notified", ...CLOSING]);
    expect(statuses(run)).toEqual(["NEW", "TRIAGED", "NOTIFIED"]);
    expect(run.incident.decision?.plan).toEqual([]);
    expect(run.incident.transitions.at(-1)?.reason).toBe(run.incident.decision?.reason);
  });

  it("approval: waits AWAITING_APPROVAL, and an approval remediates to MITIGATED", async () => {
    const h = harness({ config: approvalConfig(category) });
    const { incidentId, executionArn } = await h.start(finding);
    await h.settle(h.clock.now());
    const waiting = await h.read(incidentId, executionArn);

    await decideApproval(
      { incidentId, decision: "approve", approver: "alice@example.com", via: "dashboard" },
      h.engine.deps,
    );
    await h.settle();
    const run = await h.read(incidentId, executionArn);

    expect(waiting.incident.status).toBe("AWAITING_APPROVAL");
    expect(waiting.execution.status).toBe("RUNNING");
    expect(run.states).toEqual([
      ...TRIAGE,
      ...APPROVING,
      ...REMEDIATING,
      ...VERIFYING,
      "Close as mitigated",
      ...CLOSING,
    ]);
    expect(statuses(run)).toEqual(["NEW", "TRIAGED", "AWAITING_APPROVAL", "PROCESSING", "MITIGATED"]);
    expect(run.incident.approvals).toEqual([expect.objectContaining({ decision: "approve", via: "dashboard" })]);
    expect(taskEvents(run.history)).toContain("TaskSubmitted");
  });

  it("approval rejected: DISMISSED, nothing remediated", async () => {
    const h = harness({ config: approvalConfig(category) });
    const { incidentId, executionArn } = await h.start(finding);
    await h.settle(h.clock.now());

    await decideApproval(
      { incidentId, decision: "reject", approver: "alice@example.com", comment: "planned change", via: "dashboard" },
      h.engine.deps,
    );
    await h.settle();
    const run = await h.read(incidentId, executionArn);

    expect(run.states).toEqual([...TRIAGE, ...APPROVING, "Close as rejected", ...CLOSING]);
    expect(statuses(run)).toEqual(["NEW", "TRIAGED", "AWAITING_APPROVAL", "DISMISSED"]);
    expect(run.incident.transitions.at(-1)?.reason).toBe("rejected by alice@example.com: planned change");
    expect(run.incident.actions).toEqual([]);
  });

  it.each([
    ["reject", "DISMISSED", "Close as rejected"],
    ["approve", "MITIGATED", "Close as mitigated"],
  ] as const)("approval timed out: the policy's default (%s) applies", async (onTimeout, final, closing) => {
    const h = harness({ config: approvalConfig(category, onTimeout) });
    const { incidentId, executionArn } = await h.start(finding);
    const start = h.clock.now();

    await h.settle(start + 3_599_000);
    const before = await h.read(incidentId, executionArn);
    await h.settle();
    const run = await h.read(incidentId, executionArn);

    expect(before.incident.status).toBe("AWAITING_APPROVAL");
    expect(run.states).toContain("Approval timed out: apply the policy's default");
    expect(run.states).toContain(closing);
    expect(run.incident.status).toBe(final);
    expect(run.history.some((event) => event.type === "TaskTimedOut")).toBe(true);
    const timedOut = run.history.find((event) => event.type === "TaskTimedOut");
    expect(Date.parse(timedOut?.timestamp ?? "")).toBe(start + 3_600_000);
  });

  it("remediation failed (AWS refuses the change): FAILED, with an escalation", async () => {
    const h = harness({ live: "refusing" });

    const run = await h.run(finding);

    expect(run.execution).toMatchObject({ status: "FAILED", error: "RemediationFailed" });
    expect(run.states).toEqual([
      ...TRIAGE,
      "Ask the actor first?",
      "Approval required?",
      "Remediate the target",
      "Remediation held back?",
      "Note the failed actions",
      ...FAILING,
    ]);
    expect(statuses(run)).toEqual(["NEW", "TRIAGED", "PROCESSING", "FAILED"]);
    expect(run.incident.transitions.at(-1)?.reason).toMatch(
      /^Remediate the target failed \(RemediationFailed: .*AccessDenied/,
    );
    expect(run.incident.actions.map((action) => action.outcome)).toEqual(["failed"]);
    const { replies } = slackThread(run.incidentId);
    expect(replies.map((reply) => reply.text)).toContain(`Riposte escalation: P3 high ${finding.detection} FAILED`);
  });

  it("verification failed (the change does not stick): FAILED, with an escalation", async () => {
    const h = harness({ live: "stubborn" });

    const run = await h.run(finding);

    expect(run.execution).toMatchObject({ status: "FAILED", error: "VerificationFailed" });
    expect(run.states).toEqual([
      ...TRIAGE,
      "Ask the actor first?",
      "Approval required?",
      ...LIVE_REMEDIATING,
      ...VERIFYING,
      "Note the failed verification",
      ...FAILING,
    ]);
    expect(statuses(run)).toEqual(["NEW", "TRIAGED", "PROCESSING", "FAILED"]);
    expect(run.incident.verification?.verified).toBe(false);
    expect(run.incident.transitions.at(-1)?.reason).toMatch(
      /^Verify the fix failed \(VerificationFailed: still at risk: /,
    );
    const { replies } = slackThread(run.incidentId);
    expect(replies.map((reply) => reply.text)).toContain(`Riposte escalation: P3 high ${finding.detection} FAILED`);
  });
});

describe("what the workflows guarantee across categories", () => {
  it("a duplicate delivery starts nothing; a second execution of the same incident ends without acting", async () => {
    const h = harness();
    const first = await h.start(FINDINGS.network);
    await h.settle();

    const again = await h.start(FINDINGS.network);
    // What a deployed rule does: another execution, under another name, for the same events.
    const other = await h.engine.interpreter.startExecution({
      stateMachineArn: h.engine.stateMachineArn("network"),
      name: "eventbridge-delivery-2",
      input: { finding: FINDINGS.network },
    });
    await h.settle();
    const second = await h.engine.interpreter.describeExecution(other.executionArn);
    const history = await h.engine.interpreter.getExecutionHistory(other.executionArn);

    expect(again).toMatchObject({ incidentId: first.incidentId, started: false });
    expect(second).toMatchObject({ status: "SUCCEEDED", output: { incidentId: first.incidentId, duplicate: true } });
    expect(history.filter((event) => event.type === "TaskScheduled")).toHaveLength(1);
    expect((await h.store.getIncident(first.incidentId))?.transitions.map((t) => t.to)).toEqual([
      "NEW",
      "TRIAGED",
      "PROCESSING",
      "MITIGATED",
    ]);
  });

  it("a world-open rule whose later revoke was opened first ends RESOLVED by it, announced, nothing remediated", async () => {
    // Arrange: the revoke (two minutes later in event time) delivered and handled first.
    const h = harness();
    const open = FINDINGS.network;
    const revoke = await h.run({
      ...open,
      detection: "sg-risk-resolved",
      severity: "info",
      eventIds: ["evt-revoke-1"],
      time: new Date(Date.parse(open.time) + 120_000).toISOString(),
      resolves: { resource: open.resource, detections: [open.detection] },
    });

    // Act
    const run = await h.run(open);

    // Assert
    expect(run.execution.status).toBe("SUCCEEDED");
    expect(statuses(run)).toEqual(["NEW", "RESOLVED"]);
    expect(run.incident.resolvedBy).toBe(revoke.incidentId);
    expect(run.states).toEqual([...OPENING, "Dismiss without notice?", "Close as dismissed", ...CLOSING]);
    expect(run.incident.actions).toEqual([]);
    expect(slackThread(run.incidentId).top?.text).toContain("RESOLVED");
  });

  it("runs exactly the definitions asl-validator accepts", () => {
    const h = harness();

    for (const category of CATEGORIES) {
      const { definition } = h.engine.interpreter.describeStateMachine(h.engine.stateMachineArn(category));
      expect(validateAsl(definition).valid).toBe(true);
    }
  });

  it("posts one Slack message per incident to the configured channel", async () => {
    const h = harness();

    const run = await h.run(FINDINGS.storage);

    const tops = slack.messages.filter(
      (message) => message.threadTs === undefined && JSON.stringify(message.blocks ?? "").includes(run.incidentId),
    );
    expect(tops).toHaveLength(1);
    expect(tops[0]?.channel).toBe(slack.callsTo("chat.postMessage").at(-1)?.args.channel ?? SLACK_CHANNEL);
  });
});
