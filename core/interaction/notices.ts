import { expireApprovals } from "../approval/expire.js";
import { resumeAbandonedApprovals } from "../approval/resume.js";
import { announceExpiredExceptions } from "../exceptions/expire.js";
import { type RedeliveryReport, redeliverPendingNotices } from "../notify/redeliver.js";
import type { TaskDeps } from "../task-deps.js";

export interface NoticeRound extends RedeliveryReport {
  /** Approvals closed as expired. */
  expired: string[];
  /** Time-boxed exceptions whose expiry was announced. */
  exceptionsExpired: string[];
  /** Saved decisions sent to their workflow. */
  resumed: number;
}

/**
 * The scheduled notices, one round, the same on AWS (the Notices schedule,
 * `functions/scheduled/notices.ts`) and in `riposte serve` (`local/runtime/jobs.ts`): close the
 * approval requests nobody answered in time (their buttons stop working, Slack says so), announce
 * the time-boxed exceptions that expired, send the
 * waiting workflow any decision saved but never sent (a Lambda or a process that died between the
 * two), then deliver the Slack and SNS notices that failed earlier. In this order: a redelivered
 * message already shows the timeout. A store failure ends the round; the next one starts over.
 */
export async function runNoticeRound(deps: TaskDeps): Promise<NoticeRound> {
  const expired = await expireApprovals(deps);
  const exceptionsExpired = await announceExpiredExceptions(deps);
  const resumed = await resumeAbandonedApprovals(deps);
  const redelivered = await redeliverPendingNotices(deps);
  return { expired, exceptionsExpired, resumed, ...redelivered };
}
