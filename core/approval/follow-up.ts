import { z } from "zod";
import { InvalidInput } from "../errors.js";
import { type ApprovalRecord, ApprovalRecordSchema } from "../model/incident.js";
import { escapeMrkdwnLine } from "../notify/mrkdwn.js";
import { notifyIncident } from "../notify/notify.js";
import { noteReply } from "../notify/replies.js";
import { slackApi } from "../notify/slack.js";
import { approverMention, slackDate } from "../notify/slack-text.js";
import type { TaskDeps } from "../task-deps.js";

/**
 * What a Slack click leaves to do after it is answered. Slack wants the HTTP answer within three
 * seconds, so `POST /slack/interactions` answers once the decision is durable and hands the Slack
 * Web API calls (the incident message updated with who decided, the thread reply, the ephemeral
 * note to the clicker) to a follow-up: an SQS message for the SlackFollowUp function on AWS, a
 * background promise on one machine. A follow-up only talks to Slack; it never decides again.
 */

export const SlackFollowUpSchema = z.discriminatedUnion("type", [
  /** Update the incident message and thread who decided. */
  z.object({ type: z.literal("announce"), incidentId: z.string().min(1).max(200), record: ApprovalRecordSchema }),
  /** Tell the clicking user something only they see (not an approver, already decided…). */
  z.object({
    type: z.literal("ephemeral"),
    channel: z.string().min(1).max(64),
    user: z.string().min(1).max(64),
    text: z.string().min(1).max(3000),
  }),
]);
export type SlackFollowUp = z.infer<typeof SlackFollowUpSchema>;

/** Hands a follow-up over for later; resolves once it is safely handed over (queued), not done. */
export type SlackFollowUps = (followUp: SlackFollowUp) => Promise<void>;

/** A follow-up whose Slack delivery failed; thrown so the queue (or caller) retries it. */
export class SlackFollowUpFailed extends Error {
  override readonly name = "SlackFollowUpFailed";
}

/** Update the Slack message (who decided, buttons gone) and thread it. */
export async function announceDecision(record: ApprovalRecord, incidentId: string, deps: TaskDeps) {
  const incident = await deps.store.getIncident(incidentId);
  if (!incident) return { failures: [] };
  const verb = record.decision === "approve" ? "✅ Approved" : "🚫 Rejected";
  const comment = record.comment ? ` — “${escapeMrkdwnLine(record.comment, 500)}”` : "";
  const note = noteReply(
    `${verb} by ${approverMention(record)} via ${record.via} ${slackDate(record.at)}${comment}`,
    `Riposte: ${record.decision === "approve" ? "approved" : "rejected"} (${incidentId})`,
  );
  return notifyIncident({ incident, kind: "status" }, deps, { note, sns: false });
}

/** Parse a follow-up as read back from a queue; throws `InvalidInput` naming the problem. */
export function parseSlackFollowUp(value: unknown): SlackFollowUp {
  const parsed = SlackFollowUpSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(value)"}: ${issue.message}`);
    throw new InvalidInput(`Slack follow-up is invalid: ${issues.join("; ")}`);
  }
  return parsed.data;
}

/**
 * Do a follow-up. Throws `SlackFollowUpFailed` (or the store's error) when Slack could not be
 * told, so it is retried; a retry repeats only Slack calls (the message update is idempotent).
 */
export async function runSlackFollowUp(followUp: SlackFollowUp, deps: TaskDeps): Promise<void> {
  if (followUp.type === "ephemeral") {
    const api = slackApi(deps);
    if (!api) return;
    await api.postEphemeral({ channel: followUp.channel, user: followUp.user, text: followUp.text });
    return;
  }
  const result = await announceDecision(followUp.record, followUp.incidentId, deps);
  const slack = result.failures.filter((failure) => failure.startsWith("slack"));
  if (slack.length > 0) {
    throw new SlackFollowUpFailed(`announcing the decision on ${followUp.incidentId} failed: ${slack.join("; ")}`);
  }
}
