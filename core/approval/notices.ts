import { type RedeliveryReport, redeliverPendingNotices } from "../notify/redeliver.js";
import type { TaskDeps } from "../task-deps.js";
import { expireApprovals } from "./expire.js";
import { resumeAbandonedApprovals } from "./resume.js";

export interface NoticeRound extends RedeliveryReport {
  /** Approvals closed as expired. */
  expired: string[];
  /** Saved decisions sent to their workflow. */
  resumed: number;
}

/**
 * The scheduled notices, one round, the same on AWS (the Notices schedule,
 * `functions/scheduled/notices.ts`) and in `riposte serve` (`local/runtime/jobs.ts`): close the
 * approval requests nobody answered in time (their buttons stop working, Slack says so), send the
 * waiting workflow any decision saved but never sent (a Lambda or a process that died between the
 * two), then deliver the Slack and SNS notices that failed earlier. In this order: a redelivered
 * message already shows the timeout. A store failure ends the round; the next one starts over.
 */
export async function runNoticeRound(deps: TaskDeps): Promise<NoticeRound> {
  const expired = await expireApprovals(deps);
  const resumed = await resumeAbandonedApprovals(deps);
  const redelivered = await redeliverPendingNotices(deps);
  return { expired, resumed, ...redelivered };
}
