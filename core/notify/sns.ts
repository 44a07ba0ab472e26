import { createHash } from "node:crypto";
import { type MessageAttributeValue, PublishCommand, type PublishCommandInput, SNSClient } from "@aws-sdk/client-sns";
import type { AwsClientOptions } from "../model/aws-client.js";
import type { NOTICE_KINDS, WorkingIncident } from "../model/tasks.js";
import {
  describeError,
  describePrincipalDetail,
  describeResourceDetail,
  describeRoute,
  describeSourceDetail,
  signedPoints,
  trustedHeadline,
} from "./format.js";
import { SNS_LIMITS } from "./limits.js";
import { dashboardLink } from "./links.js";
import { stripControl } from "./mrkdwn.js";

/**
 * SNS notices for e-mail, SMS and pagers: one Publish with `MessageStructure: "json"` carrying a
 * plain-text default and e-mail body, a short SMS, and a JSON document for machine subscribers
 * (HTTPS, SQS, Lambda). Message attributes allow subscription filter policies (e.g. P1 only).
 */

export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** One line of attacker-controlled text: controls removed, newlines flattened (no fake fields). */
function line(text: string | undefined, max = 500): string {
  const flat = stripControl(text ?? "")
    .replace(/\n+/g, " ")
    .trim();
  if (flat.length <= max) return flat;
  const code = flat.charCodeAt(max - 2);
  // Never end on half of a surrogate pair.
  return `${flat.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 2 : max - 1)}…`;
}

function heading(kind: NoticeKind): string {
  return kind === "opened"
    ? "New incident"
    : kind === "escalation"
      ? "ESCALATION: a human is needed"
      : "Incident update";
}

/** The plain-text body (e-mail and default): one field per line, attacker text flattened. */
export function plainTextNotice(
  incident: WorkingIncident,
  kind: NoticeKind,
  dashboardUrl?: string,
  error?: unknown,
): string {
  const { enrichment, score, decision } = incident;
  const lines = [
    `${heading(kind)} — Riposte ${trustedHeadline(incident)}`,
    "",
    `Title: ${line(incident.title)}`,
    `Status: ${incident.status}`,
    `Severity: ${incident.severity}${score ? `, score ${score.value}/100 (${score.priority})` : ""}`,
    `Detection: ${incident.detection} (${incident.category})`,
    `Account / region: ${line(incident.account, 40)} / ${line(incident.region, 40)}`,
    `Principal: ${line(incident.principal) || "unknown"}${enrichment?.principal ? ` (${describePrincipalDetail(enrichment.principal)})` : ""}`,
    `Source: ${line(incident.sourceIp, 100) || "unknown"}${enrichment?.source ? ` (${line(describeSourceDetail(enrichment.source))})` : ""}`,
    `Resource: ${line(incident.resource) || "none"}${enrichment?.resource ? ` (${describeResourceDetail(enrichment.resource)})` : ""}`,
    `Summary: ${line(incident.summary, 2000)}`,
  ];
  if (score)
    lines.push("", "Why this score:", ...score.factors.map((f) => `  ${signedPoints(f.points)} ${line(f.label, 200)}`));
  if (decision) {
    lines.push("", `Planned response: ${describeRoute(decision.route)} — ${line(decision.reason, 600)}`);
    lines.push(...decision.plan.map((action) => `  - ${line(action.description, 400)}`));
  }
  for (const approval of incident.approvals) {
    lines.push(
      `Approval: ${approval.decision} by ${line(approval.approver, 100)} via ${approval.via} at ${approval.at}`,
    );
  }
  for (const action of incident.actions) {
    lines.push(`Action: ${action.action} on ${line(action.target, 200)}: ${action.outcome} (${action.mode})`);
  }
  if (error !== undefined) lines.push("", `Error: ${line(describeError(error), 2000)}`);
  const link = dashboardLink(dashboardUrl, incident.id);
  lines.push("", `Incident: ${incident.id}${link ? `\n${link}` : ""}`);
  return lines.join("\n");
}

/** At most 140 ASCII characters, trusted fields only. */
export function smsNotice(incident: WorkingIncident, kind: NoticeKind): string {
  const prefix = kind === "escalation" ? "Riposte ESCALATION" : "Riposte";
  const score = incident.score ? ` score ${incident.score.value}` : "";
  const text = `${prefix} ${trustedHeadline(incident)}${score} acct ${line(incident.account, 12)} ${incident.id}`;
  const ascii = text.replace(/[^\x20-\x7e]/g, "?");
  return ascii.length > SNS_LIMITS.sms ? ascii.slice(0, SNS_LIMITS.sms) : ascii;
}

/** The machine-readable notice (pagers, SQS, Lambda, HTTPS endpoints). */
export function jsonNotice(
  incident: WorkingIncident,
  kind: NoticeKind,
  dashboardUrl?: string,
  error?: unknown,
): string {
  return JSON.stringify({
    version: 1,
    kind,
    incidentId: incident.id,
    status: incident.status,
    detection: incident.detection,
    category: incident.category,
    severity: incident.severity,
    priority: incident.score?.priority,
    score: incident.score?.value,
    title: incident.title,
    time: incident.time,
    account: incident.account,
    region: incident.region,
    principal: incident.principal,
    resource: incident.resource,
    sourceIp: incident.sourceIp,
    route: incident.decision?.route,
    mode: incident.mode,
    url: dashboardLink(dashboardUrl, incident.id),
    ...(error !== undefined ? { error: describeError(error) } : {}),
  });
}

/** The Publish request for a notice (exported for tests and for the `sns:publish` ASL path). */
export function publishInput(
  topicArn: string,
  incident: WorkingIncident,
  kind: NoticeKind,
  options: { dashboardUrl?: string; error?: unknown } = {},
): PublishCommandInput {
  const text = plainTextNotice(incident, kind, options.dashboardUrl, options.error);
  const json = jsonNotice(incident, kind, options.dashboardUrl, options.error);
  const message = {
    default: text,
    email: text,
    sms: smsNotice(incident, kind),
    https: json,
    http: json,
    sqs: json,
    lambda: json,
  };
  const attribute = (value: string | undefined): MessageAttributeValue | undefined =>
    value ? { DataType: "String", StringValue: value } : undefined;
  const attributes = Object.fromEntries(
    Object.entries({
      kind: attribute(kind),
      status: attribute(incident.status),
      severity: attribute(incident.severity),
      priority: attribute(incident.score?.priority),
      detection: attribute(incident.detection),
      category: attribute(incident.category),
    }).filter((entry): entry is [string, MessageAttributeValue] => entry[1] !== undefined),
  );
  const input: PublishCommandInput = {
    TopicArn: topicArn,
    MessageStructure: "json",
    Message: JSON.stringify(message),
    Subject: `[Riposte] ${trustedHeadline(incident)}`.slice(0, SNS_LIMITS.subject),
    MessageAttributes: attributes,
  };
  if (topicArn.endsWith(".fifo")) {
    input.MessageGroupId = incident.id;
    input.MessageDeduplicationId = createHash("sha256")
      .update(`${incident.id}\n${kind}\n${incident.status}\n${incident.version}`)
      .digest("hex");
  }
  return input;
}

const clients = new Map<string, SNSClient>();

function snsClient(options: AwsClientOptions, region: string): SNSClient {
  const key = JSON.stringify([region, options.endpoint ?? "", options.maxAttempts ?? 0]);
  let client = clients.get(key);
  if (!client) {
    client = new SNSClient({ region, endpoint: options.endpoint, maxAttempts: options.maxAttempts });
    clients.set(key, client);
  }
  return client;
}

/** The region of a topic ARN (`arn:aws:sns:<region>:…`). */
export function topicRegion(topicArn: string): string | undefined {
  return topicArn.split(":")[3] || undefined;
}

/** Publish a notice; resolves to the SNS message id (the SDK retries transient faults). */
export async function publishNotice(
  topicArn: string,
  incident: WorkingIncident,
  kind: NoticeKind,
  aws: AwsClientOptions,
  options: { dashboardUrl?: string; error?: unknown } = {},
): Promise<string> {
  const region = topicRegion(topicArn) ?? aws.region ?? "us-east-1";
  const result = await snsClient(aws, region).send(
    new PublishCommand(publishInput(topicArn, incident, kind, options)),
    {
      abortSignal: AbortSignal.timeout(10_000),
    },
  );
  if (!result.MessageId) throw new Error("Publish answered without a MessageId");
  return result.MessageId;
}
