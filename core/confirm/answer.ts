import { deliverDecision, recordDecision } from "../approval/resume.js";
import { ApprovalAlreadyDecided, NotFound, NotTheActor } from "../errors.js";
import { isConfirmationId } from "../model/confirmation.js";
import type { ApprovalResult } from "../model/tasks.js";
import type { TaskDeps } from "../task-deps.js";

export interface ConfirmationAnswer {
  confirmationId: string;
  answer: "yes" | "no";
  /** The clicking Slack user (from Slack's signed payload). */
  user: string;
}

/** Who was asked: the `confirmation.requested` audit entry the ask task wrote. */
async function askedUser(incidentId: string, confirmationId: string, deps: TaskDeps): Promise<string | undefined> {
  const audit = await deps.store.listAudit(incidentId);
  const asked = audit.find(
    (entry) => entry.action === "confirmation.requested" && entry.detail?.confirmationId === confirmationId,
  );
  const user = asked?.detail?.slackUser;
  return typeof user === "string" ? user : undefined;
}

/**
 * The actor's answer to "was this you?", once: only the Slack user who was asked may answer
 * (anyone else is refused and audited), a second click or an expired question changes nothing.
 * The answer is saved with its resume record in one conditional write (the approval store's),
 * audited (`confirmation.answered`, naming who answered), and sent to the waiting workflow:
 * "No" pages on-call and remediates at once, "Yes" keeps the change for its hours.
 */
export async function answerConfirmation(
  args: ConfirmationAnswer,
  deps: TaskDeps,
): Promise<{ incidentId: string; answer: "yes" | "no"; keepHours?: number }> {
  const { confirmationId, answer, user } = args;
  const confirmation = isConfirmationId(confirmationId) ? await deps.store.getApproval(confirmationId) : undefined;
  if (!confirmation) throw new NotFound(`confirmation ${confirmationId} does not exist`);
  const at = deps.now().toISOString();
  const asked = await askedUser(confirmation.incidentId, confirmation.id, deps);
  if (asked === undefined || asked !== user) {
    await deps.store.appendAudit({
      incidentId: confirmation.incidentId,
      at,
      actor: user,
      action: "confirmation.refused",
      detail: { confirmationId, answer, reason: "not the actor who was asked" },
    });
    throw new NotTheActor(`${user} was not asked confirmation ${confirmationId}`);
  }
  if (confirmation.status !== "pending") {
    throw new ApprovalAlreadyDecided(`confirmation ${confirmationId} was already ${confirmation.status}`);
  }
  if (Date.parse(confirmation.expiresAt) < deps.now().getTime()) {
    throw new ApprovalAlreadyDecided(`confirmation ${confirmationId} expired at ${confirmation.expiresAt}`);
  }
  const incident = await deps.store.getIncident(confirmation.incidentId);
  const keepHours = incident?.decision?.confirmation?.keepHours;
  const result: ApprovalResult = {
    decision: answer === "yes" ? "approve" : "reject",
    approver: user,
    at,
    comment: answer === "yes" ? `it was me: keep it for ${keepHours ?? "the configured"} h` : "it was not me",
  };
  const decided = await deps.store.decideApproval(confirmation.id, answer === "yes" ? "approved" : "rejected", result, {
    resume: true,
    via: "slack",
  });
  if (!decided.applied) {
    throw new ApprovalAlreadyDecided(`confirmation ${confirmationId} was already ${decided.approval.status}`);
  }
  await recordDecision(decided.approval, deps);
  await deliverDecision(decided.approval, deps);
  return { incidentId: confirmation.incidentId, answer, ...(keepHours ? { keepHours } : {}) };
}
