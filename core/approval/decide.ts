import { z } from "zod";
import { ApprovalAlreadyDecided, InvalidInput, NotAnApprover, NotFound } from "../errors.js";
import type { ApprovalResponse } from "../model/api.js";
import { isConfirmationId } from "../model/confirmation.js";
import type { ApprovalResult } from "../model/tasks.js";
import type { PendingApproval } from "../store/ports.js";
import type { TaskDeps } from "../task-deps.js";
import { type Announce, announceNow, announceSaved } from "./announce.js";
import { deliverDecision, recordDecision } from "./resume.js";

export const DecideApprovalArgsSchema = z
  .object({
    approvalId: z.string().min(1).max(200).optional(),
    incidentId: z.string().min(1).max(200).optional(),
    decision: z.enum(["approve", "reject"]),
    approver: z.string().trim().min(1).max(200),
    comment: z.string().max(1000).optional(),
    via: z.enum(["slack", "dashboard"]),
  })
  .refine((args) => args.approvalId !== undefined || args.incidentId !== undefined, {
    message: "approvalId or incidentId is required",
  });
export type DecideApprovalArgs = z.input<typeof DecideApprovalArgsSchema>;

function describeDecided(approval: PendingApproval): string {
  const by = approval.result ? ` by ${approval.result.approver} at ${approval.result.at}` : "";
  // After a crash the decision may be saved while the workflow has yet to take it: say so.
  const resuming = approval.resumePending ? "; the workflow is resuming with that decision" : "";
  return `approval ${approval.id} was already ${approval.status}${by}${resuming}`;
}

/** The approval a decision is about: by id, or the incident's pending one (dashboard). */
async function resolveApproval(
  args: { approvalId?: string; incidentId?: string },
  deps: TaskDeps,
): Promise<PendingApproval> {
  if (args.approvalId) {
    const approval = await deps.store.getApproval(args.approvalId);
    // Only the actor answers a "was this you?" (core/confirm/answer.ts), never an approver.
    if (
      !approval ||
      isConfirmationId(approval.id) ||
      (args.incidentId !== undefined && approval.incidentId !== args.incidentId)
    ) {
      throw new NotFound(`approval ${args.approvalId} does not exist`);
    }
    return approval;
  }
  const incidentId = args.incidentId as string;
  const pending = (await deps.store.listPendingApprovals())
    .filter((approval) => approval.incidentId === incidentId && !isConfirmationId(approval.id))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
  if (pending) return pending;
  const resuming = (await deps.store.listApprovalsToResume()).filter(
    (approval) => approval.incidentId === incidentId && !isConfirmationId(approval.id),
  );
  const saved = resuming.at(-1);
  if (saved) throw new ApprovalAlreadyDecided(describeDecided(saved));
  const incident = await deps.store.getIncident(incidentId);
  if (!incident) throw new NotFound(`incident ${incidentId} does not exist`);
  const last = incident.approvals.at(-1);
  if (last)
    throw new ApprovalAlreadyDecided(
      `incident ${incidentId} was already decided: ${last.decision} by ${last.approver} at ${last.at}`,
    );
  throw new NotFound(`incident ${incidentId} has no pending approval`);
}

function mayDecide(approver: string, via: "slack" | "dashboard", deps: TaskDeps): boolean {
  if (via === "slack") return deps.config.approval.slackApprovers.includes(approver);
  return deps.config.approval.allowDashboard;
}

/**
 * Decide a pending approval, once: from a Slack button (the approver is the clicking user's id,
 * checked against `config.approval.slackApprovers`) or from the authenticated dashboard. Saves
 * the decision with its resume record (one store write), records it on the incident and in its
 * audit trail, resumes the waiting workflow with `{ decision, approver, at, comment }`, and
 * updates the Slack message with who decided (`announce`: inline by default; a Slack click passes
 * one that only queues it, to answer Slack in time). A crash anywhere after the save is finished
 * by the next start (`resumeDecidedApprovals`) or, on AWS, the Notices schedule a minute or more
 * later (`resumeAbandonedApprovals`).
 *
 * Throws `NotFound`, `NotAnApprover` (also audited) or `ApprovalAlreadyDecided` (a second click,
 * an expired request); nothing changes in those cases.
 */
export async function decideApproval(
  raw: DecideApprovalArgs,
  deps: TaskDeps,
  announce: Announce = announceNow(deps),
): Promise<ApprovalResponse> {
  const parsed = DecideApprovalArgsSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(args)"}: ${issue.message}`);
    throw new InvalidInput(`approval decision is invalid: ${issues.join("; ")}`);
  }
  const args = parsed.data;
  const approval = await resolveApproval(args, deps);
  const at = deps.now().toISOString();

  if (!mayDecide(args.approver, args.via, deps)) {
    await deps.store.appendAudit({
      incidentId: approval.incidentId,
      at,
      actor: args.approver,
      action: "approval.refused",
      detail: { approvalId: approval.id, decision: args.decision, via: args.via, reason: "not an approver" },
    });
    throw new NotAnApprover(`${args.approver} may not decide approvals via ${args.via}`);
  }
  if (approval.status !== "pending") throw new ApprovalAlreadyDecided(describeDecided(approval));
  if (Date.parse(approval.expiresAt) < deps.now().getTime()) {
    throw new ApprovalAlreadyDecided(`approval ${approval.id} expired at ${approval.expiresAt}`);
  }

  const result: ApprovalResult = {
    decision: args.decision,
    approver: args.approver,
    at,
    ...(args.comment ? { comment: args.comment } : {}),
  };
  // The store's conditional write makes the approval single use, even with concurrent clicks,
  // and writes the resume record with it: from here a crash delays the decision, never loses it.
  const decided = await deps.store.decideApproval(
    approval.id,
    args.decision === "approve" ? "approved" : "rejected",
    result,
    { resume: true, via: args.via },
  );
  if (!decided.applied) throw new ApprovalAlreadyDecided(describeDecided(decided.approval));
  const firstRecord = await recordDecision(decided.approval, deps);

  try {
    await deliverDecision(decided.approval, deps);
  } catch (error) {
    // Typically the task already timed out and the workflow took the policy's default.
    await deps.store.appendAudit({
      incidentId: approval.incidentId,
      at,
      actor: args.approver,
      action: "approval.delivery-failed",
      detail: { approvalId: approval.id, decision: args.decision, via: args.via, error: (error as Error).message },
    });
    deps.logger.error("approval could not resume the workflow", { incidentId: approval.incidentId, error });
    throw error;
  }

  if (firstRecord) await announceSaved(decided.approval, deps, announce);
  return { incidentId: approval.incidentId, decision: args.decision, approver: args.approver, at };
}
