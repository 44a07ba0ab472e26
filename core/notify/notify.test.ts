import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { makeDeps, makeIncident } from "../../test/notify/fixtures.js";
import { type FakeSlack, startFakeSlack } from "../../test/support/fake-slack.js";
import type { ConfigInput } from "../config/schema.js";
import type { Incident } from "../model/incident.js";
import { notifyIncident } from "./notify.js";
import { redeliverPendingNotices } from "./redeliver.js";

const sns = mockClient(SNSClient);
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
  sns.reset();
});

function slackDeps(config: ConfigInput = {}) {
  return makeDeps({
    config: { notify: { slack: { channel: "#security", retries: 0 } }, ...config },
    overrides: { secrets: { slackBotToken: slack.token, slackApiUrl: slack.apiUrl } },
  });
}

const scored = (overrides: Partial<Incident> = {}): Incident =>
  makeIncident({
    status: "TRIAGED",
    score: {
      value: 70,
      priority: "P2",
      factors: [
        { id: "severity", label: "Base: high severity (sg-ssh-open-world)", points: 55 },
        { id: "production", label: "Production-tagged security-group", points: 15 },
      ],
    },
    decision: {
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
    },
    transitions: [
      { from: null, to: "NEW", at: "2026-03-10T14:29:30.000Z", by: "open" },
      { from: "NEW", to: "TRIAGED", at: "2026-03-10T14:29:31.000Z", by: "score", reason: "score 70 (P2)" },
    ],
    ...overrides,
  });

describe("notifyIncident: Slack", () => {
  it("posts one Block Kit message for a new incident and remembers where", async () => {
    const deps = slackDeps();
    const incident = scored();
    await deps.store.createIncident(incident);

    const result = await notifyIncident({ incident, kind: "opened" }, deps);

    const posts = slack.callsTo("chat.postMessage");
    const top = posts.filter((call) => call.args.thread_ts === undefined);
    expect(top).toHaveLength(1);
    expect(top[0]?.args).toMatchObject({ channel: "#security", unfurl_links: "false", unfurl_media: "false" });
    expect(top[0]?.args.text).toBe(`Riposte: P2 high sg-ssh-open-world TRIAGED (${incident.id})`);
    expect(result.failures).toEqual([]);
    expect(result.slack?.ts).toBe(slack.messages[0]?.ts);
    const stored = await deps.store.getIncident(incident.id);
    expect(stored?.notifications?.slack).toEqual({
      channel: result.slack?.channel,
      ts: result.slack?.ts,
      transitionsPosted: 2,
    });
    const thread = slack.replies(result.slack?.channel ?? "", result.slack?.ts ?? "");
    expect(thread).toHaveLength(1);
    expect(JSON.stringify(thread[0]?.blocks)).toContain("`NEW` → `TRIAGED` by score");
  });

  it("shows the score, its factors, the planned action and links", async () => {
    const deps = slackDeps({
      notify: { slack: { channel: "#security", retries: 0 }, dashboardUrl: "https://riposte.example.com/" },
    });
    const incident = scored();
    await deps.store.createIncident(incident);

    const result = await notifyIncident({ incident, kind: "opened" }, deps);

    const text = JSON.stringify(slack.message(result.slack?.channel ?? "", result.slack?.ts ?? "")?.blocks);
    expect(text).toContain("Why 70/100 (P2)");
    expect(text).toContain("+55  Base: high severity (sg-ssh-open-world)");
    expect(text).toContain("Planned response: Remediate after approval");
    expect(text).toContain("Revoke tcp/22 from 0.0.0.0/0 on sg-0a1b2c3d");
    expect(text).toContain(`<https://riposte.example.com/incidents/${incident.id}|Open in Riposte>`);
    expect(text).toContain("#SecurityGroup:groupId=sg-0a1b2c3d|Security group in the AWS console>");
  });

  it("updates the same message in place and threads each new transition", async () => {
    const deps = slackDeps();
    const incident = scored();
    await deps.store.createIncident(incident);
    const first = await notifyIncident({ incident, kind: "opened" }, deps);
    await deps.store.transition(incident.id, "PROCESSING", { at: "2026-03-10T14:30:00.000Z", by: "remediate" });
    await deps.store.transition(incident.id, "MITIGATED", {
      at: "2026-03-10T14:30:05.000Z",
      by: "record",
      reason: "verified",
    });

    const second = await notifyIncident({ incident, kind: "status", status: "MITIGATED" }, deps);
    const third = await notifyIncident({ incident, kind: "status", status: "MITIGATED" }, deps);

    expect(second.slack).toEqual(first.slack);
    expect(third.slack).toEqual(first.slack);
    expect(slack.messages.filter((message) => message.threadTs === undefined)).toHaveLength(1);
    const main = slack.message(first.slack?.channel ?? "", first.slack?.ts ?? "");
    expect(main?.updates).toBe(2);
    expect(JSON.stringify(main?.blocks)).toContain("`MITIGATED`");
    const thread = slack.replies(first.slack?.channel ?? "", first.slack?.ts ?? "");
    expect(thread).toHaveLength(2);
    expect(JSON.stringify(thread[1]?.blocks)).toMatch(
      /`TRIAGED` → `PROCESSING`.*`PROCESSING` → `MITIGATED` by record/s,
    );
  });

  it("posts a new message when the old one was deleted", async () => {
    const deps = slackDeps();
    const incident = scored();
    await deps.store.createIncident(incident);
    const first = await notifyIncident({ incident, kind: "opened" }, deps);
    slack.messages.length = 0;

    const second = await notifyIncident({ incident, kind: "status" }, deps);

    expect(second.failures).toEqual([]);
    expect(second.slack?.ts).not.toBe(first.slack?.ts);
  });

  it("records Slack being down without throwing, and posts once it is back", async () => {
    const deps = slackDeps();
    const incident = scored();
    await deps.store.createIncident(incident);
    slack.fail("*", { status: 503 });

    const down = await notifyIncident({ incident, kind: "opened" }, deps);

    expect(down.failures).toEqual(["slack: SlackCallFailed: chat.postMessage failed: http_503"]);
    expect(down.slack).toBeUndefined();
    const afterFailure = await deps.store.getIncident(incident.id);
    expect(afterFailure?.notifications?.failures).toEqual([
      { at: deps.now().toISOString(), channel: "slack", error: "SlackCallFailed: chat.postMessage failed: http_503" },
    ]);
    expect(await deps.store.listAudit(incident.id)).toEqual([
      expect.objectContaining({
        actor: "notify",
        action: "notify.failed",
        detail: expect.objectContaining({ channel: "slack" }),
      }),
    ]);

    slack.heal();
    const back = await notifyIncident({ incident, kind: "status" }, deps);

    expect(back.failures).toEqual([]);
    expect(back.slack?.ts).toBeDefined();
  });

  it("retries a passing Slack fault before giving up", async () => {
    const deps = slackDeps({ notify: { slack: { channel: "#security", retries: 2 } } });
    const incident = scored();
    await deps.store.createIncident(incident);
    slack.fail("chat.postMessage", { status: 500, times: 1 });

    const result = await notifyIncident({ incident, kind: "opened" }, deps);

    expect(result.failures).toEqual([]);
    expect(slack.callsTo("chat.postMessage").length).toBeGreaterThanOrEqual(2);
  });

  it("does not wait on a rate limit: it records it", async () => {
    const deps = slackDeps({ notify: { slack: { channel: "#security", retries: 2 } } });
    const incident = scored();
    await deps.store.createIncident(incident);
    slack.fail("chat.postMessage", { status: 429, retryAfter: 600 });

    const result = await notifyIncident({ incident, kind: "opened" }, deps);

    expect(result.failures).toEqual([
      "slack: SlackCallFailed: chat.postMessage failed: ratelimited (retry after 600 s)",
    ]);
  });

  it.each([
    ["a wrong token", { slackBotToken: "xoxb-wrong" }, "invalid_auth"],
    ["no token", {}, "not_configured"],
  ])("records %s as a failure", async (_name, secrets, code) => {
    const deps = slackDeps();
    deps.secrets = { ...secrets, slackApiUrl: slack.apiUrl };
    const incident = scored();
    await deps.store.createIncident(incident);

    const result = await notifyIncident({ incident, kind: "opened" }, deps);

    expect(result.failures[0]).toContain(code);
  });

  it("broadcasts an escalation with the error, escaped", async () => {
    const deps = slackDeps();
    const incident = scored({ status: "FAILED" });
    await deps.store.createIncident(incident);

    await notifyIncident(
      { incident, kind: "escalation", error: { Error: "VerificationFailed", Cause: "rule still open <!channel>" } },
      deps,
    );

    const escalation = slack.messages.find((message) => message.replyBroadcast);
    expect(escalation?.threadTs).toBeDefined();
    const text = JSON.stringify(escalation?.blocks);
    expect(text).toContain("VerificationFailed: rule still open &lt;!channel&gt;");
    expect(text).not.toContain("<!channel>");
  });

  it("stays silent for an incident dismissed below the threshold", async () => {
    const deps = slackDeps();
    const incident = scored({ decision: { route: "dismiss", reason: "score 5 below 10", plan: [] } });
    await deps.store.createIncident(incident);

    const result = await notifyIncident({ incident, kind: "opened" }, deps);

    expect(result).toEqual({ failures: [] });
    expect(slack.calls).toHaveLength(0);
  });

  it("puts the approval id, never the task token, on the buttons", async () => {
    const deps = slackDeps();
    const incident = scored({ status: "AWAITING_APPROVAL" });
    await deps.store.createIncident(incident);
    await deps.store.putApproval({
      id: "appr-123",
      incidentId: incident.id,
      taskToken: "SECRET-TASK-TOKEN",
      createdAt: "2026-03-10T14:29:40.000Z",
      expiresAt: "2026-03-10T15:29:40.000Z",
      status: "pending",
    });

    await notifyIncident({ incident, kind: "status" }, deps);

    const blocks = slack.messages[0]?.blocks as { type: string; elements?: { action_id: string; value: string }[] }[];
    const buttons = blocks.find((block) => block.type === "actions")?.elements ?? [];
    expect(buttons.map((button) => [button.action_id, button.value])).toEqual([
      ["riposte.approve", "appr-123"],
      ["riposte.reject", "appr-123"],
    ]);
    expect(JSON.stringify(slack.calls)).not.toContain("SECRET-TASK-TOKEN");
  });

  it("keeps huge attacker-controlled fields within Block Kit limits", async () => {
    const deps = slackDeps();
    const incident = scored({
      title: "T".repeat(500),
      summary: "<&>".repeat(5000),
      userAgent: "U".repeat(10_000),
      principal: "P".repeat(3000),
    });
    await deps.store.createIncident(incident);

    const result = await notifyIncident({ incident, kind: "opened" }, deps);

    expect(result.failures).toEqual([]);
    expect(slack.messages[0]?.blocks?.length).toBeGreaterThan(3);
  });
});

describe("notifyIncident: SNS", () => {
  const topicArn = "arn:aws:sns:eu-west-1:123456789012:riposte-alerts";

  it("publishes a JSON-structured message with e-mail, SMS and machine variants", async () => {
    sns.on(PublishCommand).resolves({ MessageId: "msg-1" });
    const deps = makeDeps({ config: { notify: { sns: { topicArn } } } });
    const incident = scored();
    await deps.store.createIncident(incident);

    const result = await notifyIncident({ incident, kind: "opened" }, deps);

    expect(result).toEqual({ sns: { messageId: "msg-1" }, failures: [] });
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      TopicArn: topicArn,
      MessageStructure: "json",
      Subject: "[Riposte] P2 high sg-ssh-open-world TRIAGED",
      MessageAttributes: {
        priority: { DataType: "String", StringValue: "P2" },
        kind: { DataType: "String", StringValue: "opened" },
      },
    });
    const message = JSON.parse(input?.Message ?? "{}");
    expect(Object.keys(message).sort()).toEqual(["default", "email", "http", "https", "lambda", "sms", "sqs"]);
    expect(message.default).toContain("Title: SSH opened to the world on sg-0a1b2c3d");
    expect(message.default).toContain("+55 Base: high severity (sg-ssh-open-world)");
    expect(message.sms.length).toBeLessThanOrEqual(140);
    expect(JSON.parse(message.sqs)).toMatchObject({
      incidentId: incident.id,
      priority: "P2",
      score: 70,
      kind: "opened",
    });
    expect((await deps.store.getIncident(incident.id))?.notifications?.snsMessageIds).toEqual(["msg-1"]);
  });

  it("keeps attacker text out of the subject and SMS and on its own line in the body", async () => {
    sns.on(PublishCommand).resolves({ MessageId: "msg-2" });
    const deps = makeDeps({ config: { notify: { sns: { topicArn } } } });
    const incident = scored({ title: "ok\nStatus: RESOLVED\r\nX-Injected: 1", summary: "evil\u0007\u001b[31m" });
    await deps.store.createIncident(incident);

    await notifyIncident({ incident, kind: "opened" }, deps);

    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    const message = JSON.parse(input?.Message ?? "{}");
    expect(input?.Subject).not.toMatch(/RESOLVED|Injected/);
    expect(message.sms).not.toMatch(/RESOLVED|Injected/);
    expect(message.default).toContain("Title: ok Status: RESOLVED X-Injected: 1");
    expect(message.default.split("\n").filter((line: string) => line.startsWith("Status:"))).toEqual([
      "Status: TRIAGED",
    ]);
    expect(message.default.includes("\u0007") || message.default.includes("\u001b")).toBe(false);
  });

  it("records SNS being down and still delivers to Slack", async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error("Service Unavailable"), { name: "InternalErrorException" }));
    const deps = slackDeps({ notify: { slack: { channel: "#security", retries: 0 }, sns: { topicArn } } });
    const incident = scored();
    await deps.store.createIncident(incident);

    const result = await notifyIncident({ incident, kind: "opened" }, deps);

    expect(result.failures).toEqual(["sns: InternalErrorException: Service Unavailable"]);
    expect(result.slack?.ts).toBeDefined();
  });

  it("adds a group and deduplication id for FIFO topics", async () => {
    sns.on(PublishCommand).resolves({ MessageId: "m" });
    const deps = makeDeps({ config: { notify: { sns: { topicArn: `${topicArn}.fifo` } } } });
    const incident = scored();
    await deps.store.createIncident(incident);

    await notifyIncident({ incident, kind: "opened" }, deps);

    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.MessageGroupId).toBe(incident.id);
    expect(input?.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("pending notices", () => {
  const topicArn = "arn:aws:sns:us-east-1:123456789012:alerts";

  it("marks an undelivered notice pending and clears it on the next delivery", async () => {
    const deps = slackDeps();
    const incident = scored();
    await deps.store.createIncident(incident);
    slack.fail("*", { status: 503 });
    await notifyIncident({ incident, kind: "opened" }, deps);
    const pending = (await deps.store.getIncident(incident.id))?.notifications?.pending;
    slack.heal();

    await notifyIncident({ incident, kind: "status" }, deps);

    expect(pending).toEqual([{ channel: "slack", kind: "opened", since: deps.now().toISOString() }]);
    expect((await deps.store.getIncident(incident.id))?.notifications?.pending).toBeUndefined();
  });

  it("keeps the strongest undelivered kind", async () => {
    const deps = slackDeps();
    const incident = scored({ status: "FAILED" });
    await deps.store.createIncident(incident);
    slack.fail("*", { status: 503 });

    await notifyIncident({ incident, kind: "escalation", error: "boom" }, deps);
    await notifyIncident({ incident, kind: "status" }, deps);

    expect((await deps.store.getIncident(incident.id))?.notifications?.pending).toEqual([
      { channel: "slack", kind: "escalation", since: deps.now().toISOString() },
    ]);
  });

  it("is retried by the sweep once the channel is back, and only to that channel", async () => {
    sns.on(PublishCommand).resolves({ MessageId: "sns-ok" });
    const deps = slackDeps({ notify: { slack: { channel: "#security", retries: 0 }, sns: { topicArn } } });
    const incident = scored({ createdAt: deps.now().toISOString() });
    const quiet = scored({ id: "quiet-incident", createdAt: deps.now().toISOString() });
    await deps.store.createIncident(incident);
    await deps.store.createIncident(quiet);
    slack.fail("*", { status: 503 });
    await notifyIncident({ incident, kind: "opened" }, deps);

    const whileDown = await redeliverPendingNotices(deps);
    slack.heal();
    const publishesBefore = sns.commandCalls(PublishCommand).length;
    const back = await redeliverPendingNotices(deps);
    const again = await redeliverPendingNotices(deps);

    expect(whileDown).toEqual({ retried: [incident.id], stillFailing: [incident.id] });
    expect(back).toEqual({ retried: [incident.id], stillFailing: [] });
    expect(again).toEqual({ retried: [], stillFailing: [] });
    expect(sns.commandCalls(PublishCommand).length).toBe(publishesBefore);
    expect(slack.messages.filter((message) => message.threadTs === undefined)).toHaveLength(1);
    expect((await deps.store.getIncident(incident.id))?.notifications?.pending).toBeUndefined();
  });
});
