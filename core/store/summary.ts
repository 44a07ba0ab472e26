import type { Incident, IncidentSummary } from "../model/incident.js";
import { isFinalStatus } from "../model/status.js";
import type { IncidentQuery } from "./ports.js";

/** The list/live projection of an incident. */
export function summarize(incident: Incident): IncidentSummary {
  return {
    id: incident.id,
    detection: incident.detection,
    category: incident.category,
    severity: incident.severity,
    title: incident.title,
    status: incident.status,
    version: incident.version,
    createdAt: incident.createdAt,
    updatedAt: incident.updatedAt,
    account: incident.account,
    region: incident.region,
    principal: incident.principal,
    resource: incident.resource,
    sourceIp: incident.sourceIp,
    mode: incident.mode,
    score: incident.score?.value,
    priority: incident.score?.priority,
    respondedAt: respondedAt(incident),
  };
}

/** When the incident first reached a final status, from its transitions. */
export function respondedAt(incident: Pick<Incident, "transitions">): string | undefined {
  return incident.transitions.find((transition) => isFinalStatus(transition.to))?.at;
}

/** Whether an incident satisfies a query's filters (pagination aside). */
export function matchesQuery(incident: IncidentSummary & { summary?: string }, query: IncidentQuery): boolean {
  if (query.status?.length && !query.status.includes(incident.status)) return false;
  if (query.category?.length && !query.category.includes(incident.category)) return false;
  if (query.severity?.length && !query.severity.includes(incident.severity)) return false;
  if (query.resource !== undefined && incident.resource !== query.resource) return false;
  if (query.principal !== undefined && incident.principal !== query.principal) return false;
  if (query.since && incident.createdAt < query.since) return false;
  if (query.until && incident.createdAt > query.until) return false;
  if (query.text) {
    const needle = query.text.toLowerCase();
    const haystack = [
      incident.title,
      incident.summary ?? "",
      incident.principal,
      incident.resource,
      incident.sourceIp ?? "",
    ];
    if (!haystack.some((field) => field.toLowerCase().includes(needle))) return false;
  }
  return true;
}
