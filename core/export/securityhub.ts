import type { RiposteConfig } from "../config/schema.js";
import type { Incident } from "../model/incident.js";
import type { IncidentStatus } from "../model/status.js";
import { ASFF_BATCH_LIMIT, type AsffFinding, toValidAsff } from "./asff.js";
import { UnexportableFinding } from "./errors.js";

/**
 * Incidents into AWS Security Hub (`securityHub.export`): each new incident is imported as its
 * ASFF finding (BatchImportFindings, the account's default product, at most 100 per call) and its
 * workflow status follows Riposte's status through BatchUpdateFindings — the operation the ASFF
 * reference reserves for Workflow: after a finding exists, BatchImportFindings cannot change it.
 * Findings Security Hub refuses (FailedFindings, UnprocessedFindings) are returned and logged,
 * never dropped silently.
 */

export type SecurityHubWorkflowStatus = "NEW" | "NOTIFIED" | "RESOLVED" | "SUPPRESSED";

/**
 * Riposte's status → Security Hub's workflow status. NEW while nobody has been told; NOTIFIED
 * once people are (notified, awaiting approval, remediating, failed: someone must look);
 * RESOLVED once the risk is gone or judged none (mitigated, resolved, dismissed); SUPPRESSED
 * while a time-boxed exception covers it (Security Hub's own word for "seen, not acted on"). A
 * new status fails to compile here until it is mapped.
 */
export const WORKFLOW_STATUS: Readonly<Record<IncidentStatus, SecurityHubWorkflowStatus>> = {
  NEW: "NEW",
  TRIAGED: "NEW",
  AWAITING_APPROVAL: "NOTIFIED",
  PROCESSING: "NOTIFIED",
  NOTIFIED: "NOTIFIED",
  FAILED: "NOTIFIED",
  MITIGATED: "RESOLVED",
  DISMISSED: "RESOLVED",
  RESOLVED: "RESOLVED",
  SUPPRESSED: "SUPPRESSED",
};

/** One change of an incident, as the table's stream reports it. */
export interface IncidentChange {
  incident: Incident;
  /** The status before the change; absent for a new incident. */
  previousStatus?: IncidentStatus;
}

export interface FindingIdentifier {
  Id: string;
  ProductArn: string;
}

export interface RefusedFinding {
  id: string;
  incidentId: string;
  operation: "BatchImportFindings" | "BatchUpdateFindings";
  code: string;
  message: string;
}

/** The two Security Hub calls, as the AWS side makes them (`functions/securityhub.ts`). */
export interface SecurityHubPort {
  batchImportFindings(findings: AsffFinding[]): Promise<{ failed: { id: string; code: string; message: string }[] }>;
  batchUpdateFindings(request: {
    FindingIdentifiers: FindingIdentifier[];
    Workflow: { Status: SecurityHubWorkflowStatus };
    Note: { Text: string; UpdatedBy: string };
  }): Promise<{ unprocessed: { id: string; code: string; message: string }[] }>;
}

export interface SyncResult {
  imported: number;
  updated: number;
  /** Incidents not sent, with the reason (another account, not valid ASFF). */
  skipped: { incidentId: string; reason: string }[];
  refused: RefusedFinding[];
}

export interface SyncPlace {
  /** The account the function runs in: BatchImportFindings with the default product only takes its own findings. */
  account: string;
  region: string;
}

/** Items in groups of at most `size`. */
export function batches<T>(items: readonly T[], size = ASFF_BATCH_LIMIT): T[][] {
  const groups: T[][] = [];
  for (let index = 0; index < items.length; index += size) groups.push(items.slice(index, index + size));
  return groups;
}

/** Security Hub's limit for Note.Text is 512 characters; Riposte's notes stay far below it. */
function noteOf(status: IncidentStatus): { Text: string; UpdatedBy: string } {
  return { Text: `Riposte status ${status}`, UpdatedBy: "riposte" };
}

/**
 * One change per incident: its latest state, and its status before the first change of the batch
 * (a stream batch may hold an incident's creation and its later changes; only the end state is sent).
 */
function latestChanges(changes: readonly IncidentChange[]): IncidentChange[] {
  const byId = new Map<string, IncidentChange>();
  for (const change of changes) {
    const first = byId.get(change.incident.id);
    byId.set(change.incident.id, first ? { incident: change.incident, previousStatus: first.previousStatus } : change);
  }
  return [...byId.values()];
}

/**
 * Send a batch of incident changes to Security Hub: import the new incidents, then move every
 * finding whose workflow status changed (a new incident already past NEW included). A finding
 * whose import was refused is not updated.
 */
export async function syncToSecurityHub(
  changes: readonly IncidentChange[],
  config: RiposteConfig,
  place: SyncPlace,
  port: SecurityHubPort,
): Promise<SyncResult> {
  const result: SyncResult = { imported: 0, updated: 0, skipped: [], refused: [] };
  if (!config.securityHub.export) return result;
  const imports: { finding: AsffFinding; incidentId: string }[] = [];
  const moves = new Map<IncidentStatus, { identifier: FindingIdentifier; incident: Incident }[]>();
  for (const { incident, previousStatus } of latestChanges(changes)) {
    let finding: AsffFinding;
    try {
      finding = toValidAsff(incident, config, place);
    } catch (error) {
      if (!(error instanceof UnexportableFinding)) throw error;
      result.skipped.push({ incidentId: incident.id, reason: error.message });
      continue;
    }
    if (finding.AwsAccountId !== place.account) {
      result.skipped.push({
        incidentId: incident.id,
        reason: `account ${finding.AwsAccountId} is not this account (${place.account}): the default product only imports its own account's findings`,
      });
      continue;
    }
    if (previousStatus === undefined) imports.push({ finding, incidentId: incident.id });
    const status = WORKFLOW_STATUS[incident.status];
    const before = previousStatus === undefined ? "NEW" : WORKFLOW_STATUS[previousStatus];
    if (status === before) continue;
    const list = moves.get(incident.status) ?? [];
    list.push({ identifier: { Id: finding.Id, ProductArn: finding.ProductArn }, incident });
    moves.set(incident.status, list);
  }

  const refusedImports = new Set<string>();
  for (const group of batches(imports)) {
    const { failed } = await port.batchImportFindings(group.map((entry) => entry.finding));
    const byId = new Map(group.map((entry) => [entry.finding.Id, entry.incidentId]));
    for (const refusal of failed) {
      refusedImports.add(refusal.id);
      result.refused.push({
        ...refusal,
        incidentId: byId.get(refusal.id) ?? "",
        operation: "BatchImportFindings",
      });
    }
    result.imported += group.length - failed.length;
  }

  for (const [riposteStatus, entries] of moves) {
    const sendable = entries.filter((entry) => !refusedImports.has(entry.identifier.Id));
    for (const group of batches(sendable)) {
      const { unprocessed } = await port.batchUpdateFindings({
        FindingIdentifiers: group.map((entry) => entry.identifier),
        Workflow: { Status: WORKFLOW_STATUS[riposteStatus] },
        Note: noteOf(riposteStatus),
      });
      const byId = new Map(group.map((entry) => [entry.identifier.Id, entry.incident.id]));
      for (const refusal of unprocessed) {
        result.refused.push({ ...refusal, incidentId: byId.get(refusal.id) ?? "", operation: "BatchUpdateFindings" });
      }
      result.updated += group.length - unprocessed.length;
    }
  }
  return result;
}
