import type { Incident } from "../../../core/model/incident.js";

/**
 * The auditor's view of one incident's decisions: the route taken and why, who approved or
 * rejected, and what was applied — flattened into one searchable row.
 */
export interface DecisionRow {
  id: string;
  title: string;
  status: Incident["status"];
  severity: Incident["severity"];
  createdAt: string;
  principal: string;
  resource: string;
  route?: string;
  reason?: string;
  approvals: Incident["approvals"];
  actions: { description: string; outcome: string; mode: string }[];
  /** Lower-cased text of every field above, for search. */
  haystack: string;
}

/** Flatten an incident into its decision row. */
export function decisionRow(incident: Incident): DecisionRow {
  const approvals = incident.approvals ?? [];
  const actions = (incident.actions ?? []).map((action) => ({
    description: action.description,
    outcome: action.outcome,
    mode: action.mode,
  }));
  const parts = [
    incident.id,
    incident.title,
    incident.principal,
    incident.resource,
    incident.status,
    incident.decision?.route ?? "",
    incident.decision?.reason ?? "",
    ...approvals.flatMap((approval) => [approval.decision, approval.approver, approval.via, approval.comment ?? ""]),
    ...actions.flatMap((action) => [action.description, action.outcome]),
  ];
  return {
    id: incident.id,
    title: incident.title,
    status: incident.status,
    severity: incident.severity,
    createdAt: incident.createdAt,
    principal: incident.principal,
    resource: incident.resource,
    route: incident.decision?.route,
    reason: incident.decision?.reason,
    approvals,
    actions,
    haystack: parts.join("\n").toLowerCase(),
  };
}

/** Whether a row matches every word of the query (case-insensitive). */
export function matchesDecision(row: DecisionRow, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return words.every((word) => row.haystack.includes(word));
}

/** Run `task` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
