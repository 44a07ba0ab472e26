import { isConfirmationId } from "../model/confirmation.js";
import type { ApprovalRecord } from "../model/incident.js";
import { notifyIncident } from "../notify/notify.js";
import { noteReply } from "../notify/replies.js";
import { slackDate } from "../notify/slack-text.js";
import type { PendingApproval } from "../store/ports.js";
import type { TaskDeps } from "../task-deps.js";

/**
 * Approval requests nobody answered in time. Step Functions times the waiting task out and the
 * workflow applies the policy's default; this sweep closes the request on our side: the approval
 * is marked expired (its buttons stop working), the incident records a `timeout` decision, the
 * audit trail says so, and the Slack message shows it. Run it on the same schedule as the
 * notice redelivery sweep.
 */
export async function expireApprovals(deps: TaskDeps): Promise<string[]> {
  const now = deps.now();
  const at = now.toISOString();
  const expired: string[] = [];
  for (const approval of await deps.store.listPendingApprovals()) {
    if (Date.parse(approval.expiresAt) > now.getTime()) continue;
    if (isConfirmationId(approval.id)) {
      await expireConfirmation(approval, at, deps);
      continue;
    }
    const incident = await deps.store.getIncident(approval.incidentId);
    const onTimeout = incident?.decision?.approval?.onTimeout ?? "reject";
    const comment = `no decision by ${approval.expiresAt}: the policy's default (${onTimeout}) applies`;
    const closed = await deps.store.decideApproval(approval.id, "expired", {
      decision: onTimeout,
      approver: "timeout",
      at,
      comment,
    });
    if (!closed.applied) continue;
    expired.push(approval.id);
    await deps.store.appendAudit({
      incidentId: approval.incidentId,
      at,
      actor: "timeout",
      action: "approval.expired",
      detail: { approvalId: approval.id, expiresAt: approval.expiresAt, onTimeout },
    });
    if (!incident) continue;
    const record: ApprovalRecord = {
      id: approval.id,
      decision: "timeout",
      approver: "timeout",
      at,
      comment,
      via: "timeout",
    };
    await deps.store.patchIncident(incident.id, { approvals: [...incident.approvals, record] });
    const updated = await deps.store.getIncident(incident.id);
    if (!updated) continue;
    const note = noteReply(
      `⌛ No decision in time ${slackDate(at)}: the policy's default (*${onTimeout}*) applies.`,
      "Riposte: approval timed out",
    );
    await notifyIncident({ incident: updated, kind: "status" }, deps, { note, sns: false });
  }
  if (expired.length > 0) deps.logger.info("approval requests expired", { approvals: expired.length });
  return expired;
}

/**
 * A "was this you?" nobody answered: its buttons stop working and the trail says so. The workflow
 * took the detection's default response when its task timed out; no incident notice is due.
 */
async function expireConfirmation(approval: PendingApproval, at: string, deps: TaskDeps): Promise<void> {
  const closed = await deps.store.decideApproval(approval.id, "expired", {
    decision: "reject",
    approver: "timeout",
    at,
    comment: `no answer by ${approval.expiresAt}: the detection's default response applies`,
  });
  if (!closed.applied) return;
  await deps.store.appendAudit({
    incidentId: approval.incidentId,
    at,
    actor: "timeout",
    action: "confirmation.expired",
    detail: { confirmationId: approval.id, expiresAt: approval.expiresAt },
  });
}
