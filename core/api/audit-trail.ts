import type { Incident, IncidentSummary } from "../model/incident.js";
import type { AuditEntry } from "../store/ports.js";
import { summarize } from "../store/summary.js";
import { toCsv } from "./csv.js";

/**
 * An incident's audit trail for export: its status transitions (written by the store with every
 * status change) merged with the audit entries the tasks recorded (approvals, actions, notices),
 * oldest first.
 */
export interface AuditTrailRow {
  at: string;
  source: "transition" | "audit";
  actor: string;
  action: string;
  detail?: Record<string, unknown>;
}

export interface AuditExport {
  incident: IncidentSummary;
  exportedAt: string;
  trail: AuditTrailRow[];
}

export function auditTrail(incident: Incident, entries: AuditEntry[]): AuditTrailRow[] {
  const transitions: AuditTrailRow[] = incident.transitions.map((transition) => ({
    at: transition.at,
    source: "transition",
    actor: transition.by,
    action: "status.changed",
    detail: { from: transition.from, to: transition.to, ...(transition.reason ? { reason: transition.reason } : {}) },
  }));
  const audit: AuditTrailRow[] = entries.map((entry) => ({
    at: entry.at,
    source: "audit",
    actor: entry.actor,
    action: entry.action,
    ...(entry.detail ? { detail: entry.detail } : {}),
  }));
  // A stable sort: equal times keep transitions first, then entries in their stored order.
  return [...transitions, ...audit].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

export function auditExport(incident: Incident, entries: AuditEntry[], now: Date): AuditExport {
  return { incident: summarize(incident), exportedAt: now.toISOString(), trail: auditTrail(incident, entries) };
}

/** The trail as CSV, with the incident id on every row so exports can be concatenated. */
export function auditCsv(exported: AuditExport): string {
  return toCsv(
    ["incident_id", "at", "source", "actor", "action", "detail"],
    exported.trail.map((row) => [exported.incident.id, row.at, row.source, row.actor, row.action, row.detail ?? ""]),
  );
}
