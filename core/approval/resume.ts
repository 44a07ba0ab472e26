import { isConfirmationId } from "../model/confirmation.js";
import type { ApprovalRecord } from "../model/incident.js";
import type { PendingApproval } from "../store/ports.js";
import type { TaskDeps } from "../task-deps.js";
import { announceNow, announceSaved } from "./announce.js";

/**
 * A saved decision reaching its workflow, whatever crashes in between. The decision and its
 * resume record are one store write (`decideApproval(…, { resume: true })`); from there every
 * step is repeatable: the incident record and audit entry are written if missing, the decision is
 * sent to the waiting task, and the resume record is cleared only once the workflow has taken it.
 * A start-up (`resumeDecidedApprovals`) or, on AWS, the Notices schedule (`resumeAbandonedApprovals`)
 * finishes whatever a crash interrupted.
 */

/** Step Functions' (and the interpreter's) answers meaning that no task will ever take this token. */
const GONE = new Set(["TaskDoesNotExist", "TaskTimedOut", "InvalidToken"]);

export function isTaskGone(error: unknown): boolean {
  return error instanceof Error && GONE.has(error.name);
}

/**
 * Record the decision on the incident and in its audit trail, each once (a resume after a crash
 * may come here again). Returns whether the audit entry was written now, i.e. the first time.
 */
export async function recordDecision(approval: PendingApproval, deps: TaskDeps): Promise<boolean> {
  const result = approval.result;
  if (!result) return false;
  if (isConfirmationId(approval.id)) return recordConfirmation(approval, deps);
  const via = approval.via ?? "riposte";
  const incident = await deps.store.getIncident(approval.incidentId);
  if (incident && !incident.approvals.some((record) => record.id === approval.id)) {
    const record: ApprovalRecord = { id: approval.id, ...result, via };
    await deps.store.patchIncident(incident.id, { approvals: [...incident.approvals, record] });
  }
  const audit = await deps.store.listAudit(approval.incidentId);
  const audited = audit.some(
    (entry) => entry.action === "approval.decided" && entry.detail?.approvalId === approval.id,
  );
  if (audited) return false;
  await deps.store.appendAudit({
    incidentId: approval.incidentId,
    at: result.at,
    actor: result.approver,
    action: "approval.decided",
    detail: {
      approvalId: approval.id,
      decision: result.decision,
      via,
      ...(result.comment ? { comment: result.comment } : {}),
    },
  });
  return true;
}

/** A "was this you?" answer in the audit trail, once: who answered, what, and when. */
async function recordConfirmation(approval: PendingApproval, deps: TaskDeps): Promise<boolean> {
  const result = approval.result;
  if (!result) return false;
  const audit = await deps.store.listAudit(approval.incidentId);
  if (audit.some((entry) => entry.action === "confirmation.answered" && entry.detail?.confirmationId === approval.id)) {
    return false;
  }
  await deps.store.appendAudit({
    incidentId: approval.incidentId,
    at: result.at,
    actor: result.approver,
    action: "confirmation.answered",
    detail: {
      confirmationId: approval.id,
      answer: result.decision === "approve" ? "yes" : "no",
      via: approval.via ?? "riposte",
      ...(result.comment ? { comment: result.comment } : {}),
    },
  });
  // The incident's Slack message is about approvals; the actor's DM is answered by the click.
  return false;
}

/** Clear the resume record once the workflow has durably taken the decision. */
function clearWhenTaken(approval: PendingApproval, deps: TaskDeps): Promise<void> | undefined {
  const taken = deps.callbacks.callbackTaken?.(approval.taskToken);
  // Without callbackTaken (AWS), an accepted SendTaskSuccess is already durable.
  if (!taken) return deps.store.clearApprovalResume(approval.id);
  void taken.then(
    () =>
      deps.store.clearApprovalResume(approval.id).catch((error: unknown) => {
        deps.logger.warn("approval resume record not cleared; the next start clears it", {
          incidentId: approval.incidentId,
          error,
        });
      }),
    // Halted or the task ended first: the record stays, and the next start settles it.
    () => {},
  );
  return undefined;
}

/**
 * Send a saved decision to the waiting task. `gone`: no task will ever take this token (it timed
 * out, or took a decision before a crash), so the resume record is cleared. Only a caller that is
 * the token's sole sender may conclude that: a start-up, the click that just decided it, or the
 * Notices schedule once the deciding function has certainly ended (`ABANDONED_DECISION_AGE_MS`).
 * Any other error leaves the record for the next start (on AWS, the next Notices run).
 */
export async function deliverDecision(approval: PendingApproval, deps: TaskDeps): Promise<"sent" | "gone"> {
  if (!approval.result) throw new Error(`approval ${approval.id} has no decision to deliver`);
  try {
    await deps.callbacks.sendTaskSuccess(approval.taskToken, approval.result);
  } catch (error) {
    if (!isTaskGone(error)) throw error;
    await deps.store.clearApprovalResume(approval.id);
    throw error;
  }
  await clearWhenTaken(approval, deps);
  return "sent";
}

/**
 * The task asking for approval runs again for a token whose decision is already saved (a restart
 * re-ran the request before the task was waiting): that decision answers it, and no new request
 * goes out. Another sender may already have delivered it; the task takes it once either way.
 */
export async function answerWithSavedDecision(approval: PendingApproval, deps: TaskDeps): Promise<void> {
  if (!approval.result) return;
  try {
    await deps.callbacks.sendTaskSuccess(approval.taskToken, approval.result);
  } catch (error) {
    if (!isTaskGone(error)) throw error;
    return; // already sent: the sender clears the record when the task takes it
  }
  await clearWhenTaken(approval, deps);
}

/**
 * At start-up, after the workflows resumed (so every waiting task's token is registered) and
 * before anyone can decide: finish every decision a crash interrupted, each exactly once.
 */
export async function resumeDecidedApprovals(deps: TaskDeps): Promise<number> {
  return resumeEach(await deps.store.listApprovalsToResume(), deps);
}

/**
 * How old a saved decision must be before the schedule resumes it. Every function that saves one
 * (Api 29 s, SlackInteractions 10 s, Open and Approval 25 s) has timed out by then, so the schedule
 * never races a click still sending its own decision: it is the token's sole sender.
 */
export const ABANDONED_DECISION_AGE_MS = 60_000;

/**
 * On AWS, from the Notices schedule: finish the decisions whose Lambda died between saving them
 * and sending them to the waiting task. Only records older than `minAgeMs` (decision time) count;
 * a younger one may belong to a click still in progress, and the next run takes it.
 */
export async function resumeAbandonedApprovals(
  deps: TaskDeps,
  minAgeMs: number = ABANDONED_DECISION_AGE_MS,
): Promise<number> {
  const cutoff = deps.now().getTime() - minAgeMs;
  const abandoned = (await deps.store.listApprovalsToResume()).filter((approval) => {
    const decidedAt = Date.parse(approval.result?.at ?? "");
    // An unreadable decision time cannot be a click in progress (the store writes it): resume it.
    return !Number.isFinite(decidedAt) || decidedAt <= cutoff;
  });
  return resumeEach(abandoned, deps);
}

/** Record, send and announce each decision; one failure never stops the others. */
async function resumeEach(approvals: PendingApproval[], deps: TaskDeps): Promise<number> {
  let resumed = 0;
  for (const approval of approvals) {
    const log = { incidentId: approval.incidentId, approvalId: approval.id };
    try {
      const firstRecord = await recordDecision(approval, deps);
      await deliverDecision(approval, deps);
      if (firstRecord) await announceSaved(approval, deps, announceNow(deps));
      resumed++;
    } catch (error) {
      if (isTaskGone(error)) deps.logger.info("approval decision was already taken, or its task ended", log);
      else deps.logger.error("approval decision could not be resumed; the next run tries again", { ...log, error });
    }
  }
  return resumed;
}
