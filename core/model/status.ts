/**
 * Incident statuses and the one rule about moving between them: a status never regresses, so a
 * late retry cannot set a MITIGATED incident back to PROCESSING.
 *
 *   NEW → TRIAGED → (AWAITING_APPROVAL) → PROCESSING → MITIGATED
 *                              ↘ DISMISSED · FAILED · NOTIFIED      … → RESOLVED
 *      ↘ SUPPRESSED (a time-boxed exception covers the finding: decided when the incident is
 *        opened, so it ends there, recorded, without a notice or a remediation)
 */

export const INCIDENT_STATUSES = [
  "NEW",
  "TRIAGED",
  "AWAITING_APPROVAL",
  "PROCESSING",
  "MITIGATED",
  "DISMISSED",
  "FAILED",
  "NOTIFIED",
  "RESOLVED",
  "SUPPRESSED",
] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export const FINAL_STATUSES: readonly IncidentStatus[] = [
  "MITIGATED",
  "DISMISSED",
  "FAILED",
  "NOTIFIED",
  "RESOLVED",
  "SUPPRESSED",
];

const RANK: Record<IncidentStatus, number> = {
  NEW: 0,
  TRIAGED: 1,
  AWAITING_APPROVAL: 2,
  PROCESSING: 3,
  MITIGATED: 4,
  DISMISSED: 4,
  FAILED: 4,
  NOTIFIED: 4,
  // Final like NOTIFIED, which it replaces for a finding an exception covers.
  SUPPRESSED: 4,
  // A later event can remove the risk of any incident, finished or not.
  RESOLVED: 5,
};

export function isFinalStatus(status: IncidentStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** Whether an incident in `from` may move to `to`; staying put is not a transition. */
export function canTransition(from: IncidentStatus, to: IncidentStatus): boolean {
  return RANK[to] > RANK[from];
}
