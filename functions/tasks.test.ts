import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decideApproval } from "../core/approval/decide.js";
import { InvalidInput } from "../core/errors.js";
import { WorkingIncidentSchema } from "../core/model/tasks.js";
import { makeDeps, makeIncident } from "../test/notify/fixtures.js";
import { type FakeSlack, startFakeSlack } from "../test/support/fake-slack.js";
import { approvalTask } from "./approval.js";
import { enrichTask } from "./enrich.js";
import { notifyTask } from "./notify.js";
import { scoreTask } from "./score.js";

/** The four task handlers as the workflow calls them: validated input, one domain call, validated output. */

let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(async () => {
  await slack.close();
});

function deps() {
  return makeDeps({
    config: { notify: { slack: { channel: "#security", retries: 0 } }, approval: { slackApprovers: ["U0APPROVER"] } },
    overrides: { secrets: { slackBotToken: slack.token, slackApiUrl: slack.apiUrl } },
  });
}

const working = (incident: ReturnType<typeof makeIncident>) => WorkingIncidentSchema.parse(incident);

describe("enrich → score → notify → approval handlers", () => {
  it("triages a world-open SSH rule to automatic remediation", async () => {
    const d = deps();
    const incident = makeIncident();
    await d.store.createIncident(incident);

    const { enrichment } = await enrichTask.create(d)({ incident: working(incident) });
    const { score, decision } = await scoreTask.create(d)({ incident: working(incident), enrichment });

    expect(enrichment.source).toMatchObject({ ip: "8.8.8.8", kind: "public" });
    expect(score).toMatchObject({ value: 55, priority: "P3" });
    expect(decision.route).toBe("auto");
    expect(decision.plan.map((action) => action.action)).toEqual(["revoke-sg-rules"]);
    const stored = await d.store.getIncident(incident.id);
    expect(stored).toMatchObject({ status: "TRIAGED", score, decision, enrichment });
    expect(stored?.transitions.at(-1)).toMatchObject({ from: "NEW", to: "TRIAGED", by: "score" });
    expect(stored?.transitions.at(-1)?.reason).toMatch(/^score 55 \(P3\): auto — /);
    expect((await d.store.listAudit(incident.id)).map((entry) => entry.action)).toEqual(["incident.triaged"]);
  });

  it("routes a production-tagged group to approval, waits, and resumes on a decision", async () => {
    const d = deps();
    const incident = makeIncident({ facts: { ...makeIncident().facts, tags: { env: "prod" } } });
    await d.store.createIncident(incident);

    const { enrichment } = await enrichTask.create(d)({ incident: working(incident) });
    const { score, decision } = await scoreTask.create(d)({ incident: working(incident), enrichment });
    const notified = await notifyTask.create(d)({
      incident: working(incident),
      kind: "opened",
      enrichment,
      score,
      decision,
    });
    const { approvalId } = await approvalTask.create(d)({ incident: working(incident), decision, taskToken: "tok-1" });
    await decideApproval({ approvalId, decision: "approve", approver: "U0APPROVER", via: "slack" }, d);

    expect(score).toMatchObject({ value: 70, priority: "P2" });
    expect(decision.route).toBe("approval");
    expect(decision.reason).toContain("production-tagged");
    expect(notified.failures).toEqual([]);
    expect(d.callbacks.successes).toEqual([expect.objectContaining({ token: "tok-1" })]);
    const stored = await d.store.getIncident(incident.id);
    expect(stored?.status).toBe("AWAITING_APPROVAL");
    expect(stored?.approvals).toHaveLength(1);
    expect(
      slack.messages.filter((message) => message.threadTs === undefined && message.channel === notified.slack?.channel),
    ).toHaveLength(1);
  });

  it("dismisses an informational finding and tells nobody", async () => {
    const d = deps();
    const incident = makeIncident({ id: "info-1", severity: "info" });
    await d.store.createIncident(incident);
    const before = slack.calls.length;

    const { enrichment } = await enrichTask.create(d)({ incident: working(incident) });
    const { decision } = await scoreTask.create(d)({ incident: working(incident), enrichment });
    const notified = await notifyTask.create(d)({ incident: working(incident), kind: "opened" });

    expect(decision.route).toBe("dismiss");
    expect(notified).toEqual({ failures: [] });
    expect(slack.calls.length).toBe(before);
  });

  it("is idempotent: a retried score task neither moves nor audits twice", async () => {
    const d = deps();
    const incident = makeIncident();
    await d.store.createIncident(incident);
    const { enrichment } = await enrichTask.create(d)({ incident: working(incident) });

    await scoreTask.create(d)({ incident: working(incident), enrichment });
    await scoreTask.create(d)({ incident: working(incident), enrichment });

    const stored = await d.store.getIncident(incident.id);
    expect(stored?.transitions.filter((t) => t.to === "TRIAGED")).toHaveLength(1);
    expect(await d.store.listAudit(incident.id)).toHaveLength(1);
  });

  it("leaves an incident a later event already resolved alone", async () => {
    const d = deps();
    const incident = makeIncident({ id: "resolved-1", status: "RESOLVED" });
    await d.store.createIncident(incident);
    const { enrichment } = await enrichTask.create(d)({ incident: working(incident) });

    const { decision } = await scoreTask.create(d)({ incident: working(incident), enrichment });

    expect(decision).toEqual({ route: "dismiss", reason: "incident already RESOLVED: nothing to do", plan: [] });
    expect((await d.store.getIncident(incident.id))?.status).toBe("RESOLVED");
  });

  it("refuses malformed input with a named error", async () => {
    const d = deps();

    await expect(enrichTask.create(d)({ incident: { id: "x" } })).rejects.toThrow(InvalidInput);
    await expect(
      approvalTask.create(d)({ incident: working(makeIncident()), decision: { route: "approval" } }),
    ).rejects.toThrow(/approval task input is invalid/);
  });
});
