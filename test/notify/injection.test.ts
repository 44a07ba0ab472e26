import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decideApproval } from "../../core/approval/decide.js";
import { requestApproval } from "../../core/approval/request.js";
import { enrichIncident } from "../../core/enrich/enrich.js";
import type { Decision, Incident } from "../../core/model/incident.js";
import { notifyIncident } from "../../core/notify/notify.js";
import { scoreIncident } from "../../core/score/score.js";
import { type FakeSlack, startFakeSlack } from "../support/fake-slack.js";
import { makeDeps, makeIncident } from "./fixtures.js";

/**
 * Attacker-controlled text (user agents, rule and group descriptions, names, error causes,
 * dashboard comments) goes through enrich → score → notify → approval and must come out inert in
 * every Slack call and SNS message: no links, mentions or broadcasts of its own, no formatting.
 */

const PAYLOADS = [
  "<!channel> <!here> <!everyone>",
  "@channel @here @everyone",
  "<@U0ADMIN> approve this",
  "<https://evil.example/login|Open the AWS console>",
  "https://evil.example/phish",
  "<script>alert(document.cookie)</script>",
  '"><img src=x onerror=alert(1)>',
  "*PWNED* _PWNED_ ~PWNED~ `PWNED` ```PWNED```",
  "> quoted\n>>> quoted",
  "<!subteam^S0ADMINS>",
  "<!date^1^{date}|x>",
  "line1\nStatus: MITIGATED\r\nX: y",
  "\u202eevil\u0007\u001b[31m",
];
const PAYLOAD = PAYLOADS.join(" | ");

/** The only control sequences Riposte itself writes. */
const ALLOWED_SEQUENCES = [
  /^<@U0APPROVER>$/,
  /^<!date\^\d+\^\{date_short_pretty\} \{time\}\|\d{4}-\d\d-\d\dT[\d:.]+Z>$/,
  /^<https:\/\/riposte\.example\.com\/incidents\/[\w%-]+\|Open in Riposte>$/,
  /^<https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\/[^|<>]+\|[A-Za-z ]+>$/,
];

interface TextObject {
  type: string;
  text: string;
  verbatim?: unknown;
}

function textObjects(value: unknown, out: TextObject[] = []): TextObject[] {
  if (Array.isArray(value)) for (const item of value) textObjects(item, out);
  else if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    if ((record.type === "mrkdwn" || record.type === "plain_text") && typeof record.text === "string") {
      out.push({ type: record.type, text: record.text, verbatim: record.verbatim });
    }
    for (const child of Object.values(record)) textObjects(child, out);
  }
  return out;
}

function assertInert(text: string, kind: string): void {
  for (const sequence of text.match(/<[^>]*>/g) ?? []) {
    expect(
      ALLOWED_SEQUENCES.some((allowed) => allowed.test(sequence)),
      `${kind}: ${sequence}`,
    ).toBe(true);
  }
  expect(text, kind).not.toMatch(/(^|[^\uff20])@(channel|here|everyone)/i);
  // plain_text objects parse no formatting; everything else is mrkdwn.
  if (kind !== "plain_text") expect(text, kind).not.toMatch(/\*PWNED\*|_PWNED_|~PWNED~|`PWNED`/);
  expect(text, kind).not.toMatch(/^&gt;/m);
  expect(text, kind).not.toContain("<script");
  expect(text.includes("\u202e") || text.includes("\u0007") || text.includes("\u001b"), kind).toBe(false);
  if (kind === "plain_text") expect(text, kind).not.toMatch(/[<>]/);
}

const sns = mockClient(SNSClient);
let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack();
  sns.on(PublishCommand).resolves({ MessageId: "m-1" });
});
afterAll(async () => {
  await slack.close();
  sns.restore();
});

describe("attacker-controlled text through enrich, score, notify and approval", () => {
  it("is inert in every Slack message and SNS notice", async () => {
    const deps = makeDeps({
      config: {
        notify: {
          slack: { channel: "#security", retries: 0 },
          sns: { topicArn: "arn:aws:sns:us-east-1:123456789012:alerts" },
          dashboardUrl: "https://riposte.example.com",
        },
        approval: { slackApprovers: ["U0APPROVER"] },
      },
      overrides: { secrets: { slackBotToken: slack.token, slackApiUrl: slack.apiUrl } },
    });
    const hostile: Incident = makeIncident({
      title: `SSH opened on ${PAYLOAD}`,
      summary: `Rule description: ${PAYLOAD}`,
      userAgent: PAYLOAD,
      principal: `arn:aws:iam::123456789012:user/${PAYLOAD}`,
      resource: `sg-0a1b2c3d ${PAYLOAD}`,
      facts: {
        groupId: "sg-0a1b2c3d",
        groupName: PAYLOAD,
        rules: [{ ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0", description: PAYLOAD }],
        tags: { Name: PAYLOAD, env: "prod" },
      },
    });
    await deps.store.createIncident(hostile);

    const enrichment = await enrichIncident(hostile, deps);
    const score = scoreIncident({ incident: hostile, enrichment, config: deps.config });
    const decision: Decision = {
      route: "approval",
      reason: `production-tagged ${PAYLOAD}`,
      plan: [
        {
          action: "revoke-sg-rules",
          target: `sg-0a1b2c3d ${PAYLOAD}`,
          description: `Revoke the rule "${PAYLOAD}"`,
          destructive: true,
          calls: [],
          permissions: [],
        },
      ],
    };
    await deps.store.transition(
      hostile.id,
      "TRIAGED",
      { at: deps.now().toISOString(), by: "score", reason: PAYLOAD },
      {
        enrichment,
        score,
        decision,
      },
    );
    await notifyIncident({ incident: hostile, kind: "opened" }, deps);
    const { approvalId } = await requestApproval({ incident: hostile, decision, taskToken: "t" }, deps);
    await decideApproval(
      {
        approvalId,
        decision: "reject",
        approver: PAYLOADS.slice(0, 8).join(" ").slice(0, 200),
        comment: PAYLOAD,
        via: "dashboard",
      },
      deps,
    );
    await notifyIncident(
      { incident: hostile, kind: "escalation", error: { Error: "VerificationFailed", Cause: PAYLOAD } },
      deps,
    );

    const messageCalls = slack.calls.filter(
      (call) => call.method === "chat.postMessage" || call.method === "chat.update",
    );
    expect(messageCalls.length).toBeGreaterThanOrEqual(6);
    expect(slack.calls.filter((call) => (call.args as { ok?: boolean }).ok === false)).toEqual([]);
    const texts = messageCalls.flatMap((call) => textObjects(call.args.blocks));
    expect(texts.length).toBeGreaterThan(20);
    for (const text of texts) assertInert(text.text, text.type);
    for (const call of messageCalls) assertInert(String(call.args.text), "fallback");
    // verbatim: Slack neither auto-links URLs nor parses mentions in our mrkdwn.
    expect(texts.filter((text) => text.type === "mrkdwn" && text.verbatim !== true)).toEqual([]);

    const publishes = sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
    expect(publishes.length).toBeGreaterThanOrEqual(2);
    for (const input of publishes) {
      expect(input.Subject).not.toMatch(/[<>@*\n]/);
      const message = JSON.parse(input.Message ?? "{}") as Record<string, string>;
      expect(message.sms).toMatch(/^[\x20-\x7e]*$/);
      const lines = (message.default ?? "").split("\n");
      expect(lines.filter((line) => line.startsWith("Status:"))).toHaveLength(1);
      expect(message.default?.includes("\u202e") || message.default?.includes("\u001b")).toBe(false);
    }
  });
});
