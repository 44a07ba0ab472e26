import type { TaskDeps } from "../context.js";
import { escapeMrkdwnLine } from "../notify/mrkdwn.js";
import { notifyIncident } from "../notify/notify.js";
import { noteReply } from "../notify/replies.js";
import { approverMention, slackDate } from "../notify/slack-text.js";
import type { PendingApproval } from "../store/ports.js";

/** Update the Slack message (who decided, buttons gone) and thread it; never fails the decision. */
export async function announceDecision(approval: PendingApproval, deps: TaskDeps): Promise<void> {
  const result = approval.result;
  if (!result) return;
  const record = { ...result, via: approval.via ?? "riposte" };
  try {
    const incident = await deps.store.getIncident(approval.incidentId);
    if (!incident) return;
    const verb = record.decision === "approve" ? "✅ Approved" : "🚫 Rejected";
    const comment = record.comment ? ` — “${escapeMrkdwnLine(record.comment, 500)}”` : "";
    const note = noteReply(
      `${verb} by ${approverMention(record)} via ${record.via} ${slackDate(record.at)}${comment}`,
      `Riposte: ${record.decision === "approve" ? "approved" : "rejected"} (${approval.incidentId})`,
    );
    await notifyIncident({ incident, kind: "status" }, deps, { note, sns: false });
  } catch (error) {
    deps.logger.warn("approval announcement failed", { incidentId: approval.incidentId, error });
  }
}
