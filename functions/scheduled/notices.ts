import { expireApprovals } from "../../core/approval/expire.js";
import { resumeAbandonedApprovals } from "../../core/approval/resume.js";
import { type RedeliveryReport, redeliverPendingNotices } from "../../core/notify/redeliver.js";
import type { TaskDeps } from "../../core/task-deps.js";
import { awsTaskDeps } from "../lib/aws-deps.js";

/**
 * Scheduled: close approval requests nobody answered in time (their buttons stop working, Slack
 * says so), send the waiting workflow any decision a dying Lambda saved but never sent, then
 * deliver the Slack and SNS notices that failed earlier. Expiry runs first, so a redelivered
 * message already shows the timeout.
 */
export function createNoticesHandler(resolveDeps: () => Promise<TaskDeps>) {
  return async (): Promise<{ expired: string[]; resumed: number } & RedeliveryReport> => {
    const deps = await resolveDeps();
    const expired = await expireApprovals(deps);
    const resumed = await resumeAbandonedApprovals(deps);
    const redelivered = await redeliverPendingNotices(deps);
    return { expired, resumed, ...redelivered };
  };
}

export const handler = createNoticesHandler(awsTaskDeps);
