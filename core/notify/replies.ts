import type { Transition } from "../model/incident.js";
import type { WorkingIncident } from "../model/tasks.js";
import { describeError, STATUS_EMOJI, trustedHeadline } from "./format.js";
import { escapeMrkdwn, escapeMrkdwnLine } from "./mrkdwn.js";
import { type RenderedMessage, section, slackDate } from "./slack-text.js";

/** Thread replies under the incident message: transitions, escalations, notes. */

/** A thread reply listing transitions: "`NEW` → `TRIAGED` by score: reason". */
export function transitionsReply(transitions: Transition[]): RenderedMessage | undefined {
  if (transitions.length === 0) return undefined;
  const lines = transitions.map((t) => {
    const from = t.from ? `\`${t.from}\` → ` : "";
    const reason = t.reason ? `: ${escapeMrkdwnLine(t.reason, 400)}` : "";
    return `${STATUS_EMOJI[t.to]} ${from}\`${t.to}\` by ${escapeMrkdwnLine(t.by, 100)} ${slackDate(t.at)}${reason}`;
  });
  const last = transitions.at(-1)?.to;
  return { text: `Riposte: status ${last}`, blocks: [section(lines.join("\n"))] };
}

/** A thread reply for an escalation: what failed, in plain words. */
export function escalationReply(incident: WorkingIncident, error: unknown): RenderedMessage {
  const detail = describeError(error);
  return {
    text: `Riposte escalation: ${trustedHeadline(incident)}`,
    blocks: [
      section(
        `🚨 *Escalation: ${incident.status}* — the workflow needs a human.${detail ? `\n${escapeMrkdwn(detail, 2500)}` : ""}`,
      ),
    ],
  };
}

/** A thread reply with a note already rendered as mrkdwn (approval decided…). */
export function noteReply(mrkdwn: string, fallback: string): RenderedMessage {
  return { text: fallback, blocks: [section(mrkdwn)] };
}
