import type { ContextBlock, KnownBlock, MrkdwnElement, SectionBlock } from "@slack/web-api";
import type { WorkingIncident } from "../model/tasks.js";
import {
  describePrincipalDetail,
  describeResourceDetail,
  describeRoute,
  describeSourceDetail,
  PRIORITY_EMOJI,
  STATUS_EMOJI,
  signedPoints,
  trustedHeadline,
} from "./format.js";
import { SLACK_LIMITS } from "./limits.js";
import { consoleLink, dashboardLink } from "./links.js";
import { escapeMrkdwn, escapeMrkdwnLine, mrkdwnCode, plainText, truncateEscaped } from "./mrkdwn.js";
import { approverMention, context, md, type RenderedMessage, section, slackDate } from "./slack-text.js";

/**
 * The incident's Slack message in Block Kit: one message per incident, re-rendered from the
 * incident on every change (so `chat.update` shows the current state).
 * All finding text goes through `mrkdwn.ts`; mrkdwn objects are `verbatim` (no auto-linking).
 */

export const APPROVAL_BLOCK_ID = "riposte.approval";
export const APPROVE_ACTION_ID = "riposte.approve";
export const REJECT_ACTION_ID = "riposte.reject";
export const EXCEPTION_BLOCK_ID = "riposte.exception";
/** "Snooze 24 h" and "Allow for 7 days": a time-boxed exception for the incident's principal; the value is the incident id. */
export const SNOOZE_ACTION_ID = "riposte.exception.snooze";
export const ALLOW_ACTION_ID = "riposte.exception.allow";

export interface RenderOptions {
  /** Pending approval whose id the buttons carry (never the task token). */
  approvalId?: string;
  dashboardUrl?: string;
}

function field(label: string, value: string): MrkdwnElement {
  return md(truncateEscaped(`*${label}*\n${value || "-"}`, SLACK_LIMITS.fieldText));
}

function fields(incident: WorkingIncident): SectionBlock {
  const { enrichment, score } = incident;
  const withDetail = (code: string, detail: string) => (detail ? `${code}\n${escapeMrkdwnLine(detail, 300)}` : code);
  const items = [
    field("Status", `${STATUS_EMOJI[incident.status]} \`${incident.status}\``),
    field("Severity", `${incident.severity}${score ? ` · score *${score.value}*/100 (${score.priority})` : ""}`),
    field(
      "Principal",
      withDetail(mrkdwnCode(incident.principal || "unknown", 600), describePrincipalDetail(enrichment?.principal)),
    ),
    field(
      "Source",
      withDetail(mrkdwnCode(incident.sourceIp ?? "unknown", 200), describeSourceDetail(enrichment?.source)),
    ),
    field(
      "Resource",
      withDetail(mrkdwnCode(incident.resource || "none", 600), describeResourceDetail(enrichment?.resource)),
    ),
    field("Account / region", `${mrkdwnCode(incident.account, 40)} / ${mrkdwnCode(incident.region, 40)}`),
    field("Detection", `${mrkdwnCode(incident.detection)} (${incident.category})`),
    field("Mode", incident.mode === "live" ? "live" : `${incident.mode} (no change is sent)`),
  ];
  if (incident.userAgent) items.push(field("User agent", mrkdwnCode(incident.userAgent, 1000)));
  return { type: "section", fields: items.slice(0, SLACK_LIMITS.sectionFields) };
}

function scoreSection(incident: WorkingIncident): SectionBlock | undefined {
  const score = incident.score;
  if (!score) return undefined;
  const lines = score.factors.map(
    (factor) => `• ${signedPoints(factor.points)}  ${escapeMrkdwnLine(factor.label, 200)}`,
  );
  return section(`*Why ${score.value}/100 (${score.priority})*\n${lines.join("\n")}`);
}

function responseSection(incident: WorkingIncident): SectionBlock | undefined {
  const decision = incident.decision;
  if (!decision) return undefined;
  const plan = decision.plan.map(
    (action) =>
      `• ${escapeMrkdwnLine(action.description, 400)}${action.destructive ? " _(destructive)_" : ""} — ${mrkdwnCode(action.action, 60)}`,
  );
  const head = `*Planned response: ${describeRoute(decision.route)}*\n${escapeMrkdwn(decision.reason, 600)}`;
  return section(plan.length > 0 ? `${head}\n${plan.join("\n")}` : head);
}

function actionsSection(incident: WorkingIncident): SectionBlock | undefined {
  if (incident.actions.length === 0 && !incident.verification) return undefined;
  const lines = incident.actions.map(
    (action) =>
      `• ${mrkdwnCode(action.action, 60)} on ${mrkdwnCode(action.target, 200)}: *${action.outcome}*${action.mode === "dry-run" ? " (dry-run)" : ""}${action.error ? ` — ${escapeMrkdwnLine(action.error, 300)}` : ""}`,
  );
  const verification = incident.verification;
  if (verification) {
    const failed = verification.checks.filter((check) => !check.ok).map((check) => escapeMrkdwnLine(check.name, 200));
    lines.push(
      verification.verified
        ? "✅ Verified: the risk is gone."
        : `❌ Not verified: ${failed.join(", ") || "checks failed"}`,
    );
  }
  return section(`*Actions*\n${lines.join("\n")}`);
}

function approvalButtons(incident: WorkingIncident, approvalId: string): KnownBlock {
  const plan = incident.decision?.plan.map((action) => action.description).join("; ") || "the planned remediation";
  return {
    type: "actions",
    block_id: APPROVAL_BLOCK_ID,
    elements: [
      {
        type: "button",
        action_id: APPROVE_ACTION_ID,
        text: { type: "plain_text", text: "Approve" },
        style: "primary",
        value: approvalId,
        confirm: {
          title: { type: "plain_text", text: "Approve this remediation?" },
          text: { type: "plain_text", text: plainText(`Riposte will: ${plan}`, SLACK_LIMITS.confirmText) },
          confirm: { type: "plain_text", text: "Approve" },
          deny: { type: "plain_text", text: "Cancel" },
        },
      },
      {
        type: "button",
        action_id: REJECT_ACTION_ID,
        text: { type: "plain_text", text: "Reject" },
        style: "danger",
        value: approvalId,
      },
    ],
  };
}

/** Only approvers' clicks count (checked on the click); the buttons are shown to the whole channel like Approve. */
function exceptionButtons(incident: WorkingIncident): KnownBlock | undefined {
  if (incident.status === "SUPPRESSED" || (!incident.principal && !incident.resource)) return undefined;
  const what = incident.principal ? "this principal" : "this resource";
  const confirm = (period: string) => ({
    title: { type: "plain_text" as const, text: "Create an exception?" },
    text: {
      type: "plain_text" as const,
      text: plainText(
        `${incident.detection} findings for ${what} will be recorded as SUPPRESSED, without notice or remediation, for ${period}.`,
        SLACK_LIMITS.confirmText,
      ),
    },
    confirm: { type: "plain_text" as const, text: "Create" },
    deny: { type: "plain_text" as const, text: "Cancel" },
  });
  return {
    type: "actions",
    block_id: EXCEPTION_BLOCK_ID,
    elements: [
      {
        type: "button",
        action_id: SNOOZE_ACTION_ID,
        text: { type: "plain_text", text: "Snooze 24 h" },
        value: incident.id,
        confirm: confirm("24 hours"),
      },
      {
        type: "button",
        action_id: ALLOW_ACTION_ID,
        text: { type: "plain_text", text: "Allow for 7 days" },
        value: incident.id,
        confirm: confirm("7 days"),
      },
    ],
  };
}

function approvalLines(incident: WorkingIncident): string[] {
  return incident.approvals.map((approval) => {
    const comment = approval.comment ? ` — “${escapeMrkdwnLine(approval.comment, 300)}”` : "";
    if (approval.decision === "timeout") return `⌛ No decision in time ${slackDate(approval.at)}${comment}`;
    const verb = approval.decision === "approve" ? "✅ Approved" : "🚫 Rejected";
    return `${verb} by ${approverMention(approval)} (${approval.via}) ${slackDate(approval.at)}${comment}`;
  });
}

function footer(incident: WorkingIncident, options: RenderOptions): ContextBlock {
  const parts = [`Incident ${mrkdwnCode(incident.id, 120)} · ${slackDate(incident.time)}`];
  const dashboard = dashboardLink(options.dashboardUrl, incident.id);
  if (dashboard) parts.push(`<${dashboard}|Open in Riposte>`);
  const console = consoleLink(incident);
  if (console) parts.push(`<${console.url}|${console.label}>`);
  return context([parts.join(" · ")]);
}

/** The incident message: header, facts, score with its factors, planned response, buttons, outcome. */
export function incidentMessage(incident: WorkingIncident, options: RenderOptions = {}): RenderedMessage {
  const priority = incident.score?.priority;
  const header = `${priority ? `${PRIORITY_EMOJI[priority]} ${priority} · ` : ""}${incident.title}`;
  const blocks: (KnownBlock | undefined)[] = [
    { type: "header", text: { type: "plain_text", text: plainText(header, SLACK_LIMITS.headerText) } },
    fields(incident),
    section(escapeMrkdwn(incident.summary || incident.title, 2000)),
    scoreSection(incident),
    responseSection(incident),
  ];
  const awaiting = incident.status === "AWAITING_APPROVAL" && incident.approvals.length === 0;
  if (awaiting && options.approvalId) blocks.push(approvalButtons(incident, options.approvalId));
  else if (awaiting) blocks.push(context(["Awaiting approval on the dashboard."]));
  const decided = approvalLines(incident);
  if (decided.length > 0) blocks.push(context(decided));
  blocks.push(actionsSection(incident));
  blocks.push(exceptionButtons(incident));
  if (incident.enrichment?.errors.length) {
    blocks.push(context([`Enrichment degraded: ${escapeMrkdwnLine(incident.enrichment.errors.join("; "), 1500)}`]));
  }
  blocks.push(footer(incident, options));
  return {
    text: `Riposte: ${trustedHeadline(incident)} (${incident.id})`,
    blocks: blocks.filter((block): block is KnownBlock => block !== undefined).slice(0, SLACK_LIMITS.blocksPerMessage),
  };
}
