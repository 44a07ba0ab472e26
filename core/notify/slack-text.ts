import type { ContextBlock, KnownBlock, MrkdwnElement, SectionBlock } from "@slack/web-api";
import type { ApprovalRecord } from "../model/incident.js";
import { SLACK_LIMITS } from "./limits.js";
import { escapeMrkdwnLine, truncateEscaped } from "./mrkdwn.js";

/**
 * Building blocks of our Slack text: verbatim mrkdwn objects cut to Block Kit's limits, dates
 * and mentions. These are the only places Riposte writes Slack control sequences (`<…>`).
 */

const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;

export interface RenderedMessage {
  /** Notification fallback: trusted fields only (it is shown in push notifications). */
  text: string;
  blocks: KnownBlock[];
}

export const md = (text: string): MrkdwnElement => ({ type: "mrkdwn", text: text || " ", verbatim: true });

export function section(text: string): SectionBlock {
  return { type: "section", text: md(truncateEscaped(text, SLACK_LIMITS.sectionText)) };
}

export function context(texts: string[]): ContextBlock {
  return {
    type: "context",
    elements: texts
      .slice(0, SLACK_LIMITS.contextElements)
      .map((text) => md(truncateEscaped(text, SLACK_LIMITS.contextText))),
  };
}

/** `<!date^…>` renders in each reader's time zone; the fallback is the ISO time. */
export function slackDate(iso: string): string {
  const epoch = Math.floor(Date.parse(iso) / 1000);
  if (!Number.isFinite(epoch)) return escapeMrkdwnLine(iso);
  return `<!date^${epoch}^{date_short_pretty} {time}|${new Date(epoch * 1000).toISOString()}>`;
}

/** Who decided: a Slack user id becomes a mention; anything else is shown as text. */
export function approverMention(approval: Pick<ApprovalRecord, "approver" | "via">): string {
  if (approval.via === "slack" && SLACK_USER.test(approval.approver)) return `<@${approval.approver}>`;
  if (approval.via === "timeout") return "timeout";
  return escapeMrkdwnLine(approval.approver, 100);
}
