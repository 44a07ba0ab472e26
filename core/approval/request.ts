import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { isConfirmationId } from "../model/confirmation.js";
import { isFinalStatus } from "../model/status.js";
import type { RequestApprovalInputSchema } from "../model/tasks.js";
import { notifyIncident } from "../notify/notify.js";
import type { TaskDeps } from "../task-deps.js";
import { answerWithSavedDecision } from "./resume.js";

export type RequestApprovalInput = z.output<typeof RequestApprovalInputSchema>;

/** Approval ids are random and unguessable: they are the only thing a Slack button carries. */
export function newApprovalId(): string {
  return `appr-${randomUUID()}`;
}

async function supersedePending(incidentId: string, at: string, deps: TaskDeps): Promise<void> {
  // A retried approval task gets a new task token; the buttons of the old request must stop working.
  const pending = await deps.store.listPendingApprovals();
  // A "was this you?" confirmation of the same incident is not an approval request.
  for (const old of pending.filter(
    (approval) => approval.incidentId === incidentId && !isConfirmationId(approval.id),
  )) {
    await deps.store.decideApproval(old.id, "expired", {
      decision: "reject",
      approver: "riposte",
      at,
      comment: "superseded by a newer approval request",
    });
  }
}

/**
 * The approval task (`.waitForTaskToken`): keep the task token server-side under a new approval
 * id, move the incident to AWAITING_APPROVAL, and show Approve / Reject buttons (carrying the
 * approval id, never the token) with the proposed action in plain words. The workflow resumes
 * when someone decides (`decideApproval`) or the task times out. When this task's decision is
 * already saved (a restart ran the request again before the task was waiting), it answers at once.
 */
export async function requestApproval(input: RequestApprovalInput, deps: TaskDeps): Promise<{ approvalId: string }> {
  const { incident, decision, taskToken } = input;
  const now = deps.now();
  const at = now.toISOString();
  const timeoutSeconds = decision.approval?.timeoutSeconds ?? deps.config.approval.timeoutSeconds;
  const approvalId = newApprovalId();

  const saved = (await deps.store.listApprovalsToResume()).find(
    (approval) => approval.incidentId === incident.id && approval.taskToken === taskToken,
  );
  if (saved) {
    await answerWithSavedDecision(saved, deps);
    return { approvalId: saved.id };
  }
  await supersedePending(incident.id, at, deps);
  await deps.store.putApproval({
    id: approvalId,
    incidentId: incident.id,
    taskToken,
    createdAt: at,
    expiresAt: new Date(now.getTime() + timeoutSeconds * 1000).toISOString(),
    status: "pending",
  });
  const plan = decision.plan.map((action) => action.description).join("; ") || "no action";
  const moved = await deps.store.transition(
    incident.id,
    "AWAITING_APPROVAL",
    { at, by: "approval", reason: `approval requested: ${plan}` },
    { decision },
  );

  // A later event already settled the incident (e.g. RESOLVED): nobody needs to decide.
  if (!moved.applied && isFinalStatus(moved.incident.status)) {
    const result = {
      decision: "reject" as const,
      approver: "riposte",
      at,
      comment: `incident already ${moved.incident.status}`,
    };
    await deps.store.decideApproval(approvalId, "rejected", result);
    await deps.callbacks.sendTaskSuccess(taskToken, result);
    await deps.store.appendAudit({
      incidentId: incident.id,
      at,
      actor: "approval",
      action: "approval.skipped",
      detail: { approvalId, status: moved.incident.status },
    });
    return { approvalId };
  }

  await deps.store.appendAudit({
    incidentId: incident.id,
    at,
    actor: "approval",
    action: "approval.requested",
    detail: { approvalId, expiresAt: new Date(now.getTime() + timeoutSeconds * 1000).toISOString(), plan },
  });
  await notifyIncident({ incident: moved.incident, kind: "status", decision }, deps, { approvalId });
  return { approvalId };
}
