import { describeScope, type ExceptionRecord } from "../model/exception.js";
import { escapeMrkdwnLine, mrkdwnCode } from "../notify/mrkdwn.js";
import { slackApi } from "../notify/slack.js";
import { section, slackDate } from "../notify/slack-text.js";
import { exceptionAuditKey } from "../store/ports.js";
import type { TaskDeps } from "../task-deps.js";
import { listAllExceptions } from "./list.js";

/**
 * Exceptions that ran out: each is marked announced once (the store's conditional write, so two
 * sweeps never announce one twice), audited, and announced in the incident channel, since its
 * findings are handled normally again. A declared exception is stored first so that the mark has
 * a record to sit on. A Slack failure is logged and audited, never retried: the expiry itself
 * needs no delivery to take effect. Runs with the approval expiry (locally the jobs, on AWS the
 * Notices schedule).
 */
export async function announceExpiredExceptions(deps: TaskDeps): Promise<string[]> {
  const now = deps.now();
  const at = now.toISOString();
  const announced: string[] = [];
  for (const exception of await listAllExceptions(deps.store, deps.config)) {
    if (exception.expiryAnnouncedAt || Date.parse(exception.expiresAt) > now.getTime()) continue;
    if (exception.source === "config") await deps.store.putException(exception);
    const { applied } = await deps.store.markExceptionAnnounced(exception.id, at);
    if (!applied) continue;
    announced.push(exception.id);
    await deps.store.appendAudit({
      incidentId: exceptionAuditKey(exception.id),
      at,
      actor: "system",
      action: "exception.expired",
      detail: { exceptionId: exception.id, expiresAt: exception.expiresAt },
    });
    await postExpiry(exception, deps, at);
  }
  if (announced.length > 0) deps.logger.info("exceptions expired", { exceptions: announced.length });
  return announced;
}

/** The expiry notice: every text but ours is escaped (scope, owner and reason may be attacker text). */
export function expiryNotice(exception: ExceptionRecord): { text: string; mrkdwn: string } {
  const scope = escapeMrkdwnLine(describeScope(exception.scope), 300);
  const mrkdwn = [
    `🔔 *Exception expired* ${slackDate(exception.expiresAt)}: ${mrkdwnCode(exception.id, 100)}`,
    `${mrkdwnCode(exception.detection, 100)} for ${scope}`,
    `Owner ${escapeMrkdwnLine(exception.owner, 200)} · ${escapeMrkdwnLine(exception.reason, 500)}`,
    "Matching findings are handled normally again.",
  ].join("\n");
  return { text: `Riposte: exception ${exception.id} expired`, mrkdwn };
}

async function postExpiry(exception: ExceptionRecord, deps: TaskDeps, at: string): Promise<void> {
  const slack = slackApi(deps);
  const channel = deps.config.notify.slack?.channel;
  if (!slack || !channel) return;
  const notice = expiryNotice(exception);
  try {
    await slack.postMessage({ channel, text: notice.text, blocks: [section(notice.mrkdwn)] });
  } catch (error) {
    deps.logger.warn("exception expiry notice failed", { exceptionId: exception.id, error });
    await deps.store.appendAudit({
      incidentId: exceptionAuditKey(exception.id),
      at,
      actor: "system",
      action: "exception.notice-failed",
      detail: { error: (error as Error).message },
    });
  }
}
