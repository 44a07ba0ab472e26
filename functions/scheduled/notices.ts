import { type NoticeRound, runNoticeRound } from "../../core/interaction/notices.js";
import type { TaskDeps } from "../../core/task-deps.js";
import { awsTaskDeps } from "../lib/aws-deps.js";

/** Scheduled: one round of the notices (`runNoticeRound`: expiry, resumed decisions, redelivery). */
export function createNoticesHandler(resolveDeps: () => Promise<TaskDeps>) {
  return async (): Promise<NoticeRound> => runNoticeRound(await resolveDeps());
}

export const handler = createNoticesHandler(awsTaskDeps);
