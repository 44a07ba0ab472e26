import { NOTICE_KINDS } from "../model/tasks.js";
import type { TaskDeps } from "../task-deps.js";
import { type Channel, notifyIncident } from "./notify.js";

/**
 * The retry half of "Slack or SNS being down never blocks": incidents whose latest notice could
 * not be delivered carry `notifications.pending`; this sweep re-sends the current state to those
 * channels. Any later notice delivers them too, so the sweep matters for incidents that have
 * gone quiet (e.g. the final MITIGATED notice failed). Run it on a schedule: the local runtime's
 * timer, or a scheduled function on AWS.
 */

export interface RedeliveryReport {
  /** Incidents with pending notices that were retried. */
  retried: string[];
  /** Of those, the ones still failing (they stay pending for the next sweep). */
  stillFailing: string[];
}

function kindOf(kind: string): (typeof NOTICE_KINDS)[number] {
  return (NOTICE_KINDS as readonly string[]).includes(kind) ? (kind as (typeof NOTICE_KINDS)[number]) : "status";
}

/**
 * Retry pending notices of the incidents created in the lookback window (newest first, at most
 * `limit`). Never throws for a delivery failure; a store failure propagates.
 */
export async function redeliverPendingNotices(
  deps: TaskDeps,
  options: { lookbackHours?: number; limit?: number } = {},
): Promise<RedeliveryReport> {
  const since = new Date(deps.now().getTime() - (options.lookbackHours ?? 24) * 3_600_000).toISOString();
  const page = await deps.store.listIncidents({ since, limit: options.limit ?? 200 });
  const report: RedeliveryReport = { retried: [], stillFailing: [] };
  for (const summary of page.items) {
    const incident = await deps.store.getIncident(summary.id);
    const pending = incident?.notifications?.pending;
    if (!incident || !pending?.length) continue;
    const strongest = pending.reduce((a, b) => (b.kind === "escalation" || a.kind === "status" ? b : a));
    const result = await notifyIncident({ incident, kind: kindOf(strongest.kind) }, deps, {
      channels: pending.map((entry) => entry.channel as Channel),
    });
    report.retried.push(incident.id);
    if (result.failures.length > 0) report.stillFailing.push(incident.id);
  }
  if (report.retried.length > 0) deps.logger.info("pending notices retried", { ...report });
  return report;
}
