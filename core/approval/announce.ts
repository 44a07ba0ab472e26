import type { ApprovalRecord } from "../model/incident.js";
import type { PendingApproval } from "../store/ports.js";
import type { TaskDeps } from "../task-deps.js";
import { announceDecision } from "./follow-up.js";

/** Tells Slack who decided; by default right away, from a Slack click as a follow-up (see follow-up.ts). */
export type Announce = (record: ApprovalRecord, incidentId: string) => Promise<void>;

/** The default: update the Slack message (who decided, buttons gone) and thread it, inline. */
export const announceNow =
  (deps: TaskDeps): Announce =>
  async (record, incidentId) => {
    await announceDecision(record, incidentId, deps);
  };

/** Announce a saved decision; a failure is logged and never fails the decision. */
export async function announceSaved(approval: PendingApproval, deps: TaskDeps, announce: Announce): Promise<void> {
  if (!approval.result) return;
  const record: ApprovalRecord = { id: approval.id, ...approval.result, via: approval.via ?? "riposte" };
  try {
    await announce(record, approval.incidentId);
  } catch (error) {
    deps.logger.warn("approval announcement failed", { incidentId: approval.incidentId, error });
  }
}
