import { declaredExceptions } from "../exceptions/declared.js";
import { coveringException, suppressionOf } from "../exceptions/match.js";
import { describeScope } from "../model/exception.js";
import type { Finding, Incident, RemediationMode } from "../model/incident.js";
import type { WorkingIncident } from "../model/tasks.js";
import type { TaskDeps } from "../task-deps.js";
import { incidentIdFor } from "./id.js";
import { resolvedOnOpen, resolveEarlierIncidents } from "./resolve.js";

/**
 * Opening an incident: the first step of every workflow. The incident is created NEW,
 * idempotently (its id derives from the finding's events), and a delivery that finds it already
 * opened by another execution is a duplicate. A retry of the same execution is not: it finds its
 * own incident and carries on.
 */

export interface ExecutionRef {
  /** The execution ARN (the local interpreter's or Step Functions'). */
  id: string;
  name: string;
}

/** A new incident for a finding: NEW, with its creating transition. */
export function newIncident(
  finding: Finding,
  options: { executionArn: string; mode: RemediationMode; now: Date },
): Incident {
  const at = options.now.toISOString();
  return {
    ...finding,
    id: incidentIdFor(finding),
    status: "NEW",
    version: 1,
    createdAt: at,
    updatedAt: at,
    mode: options.mode,
    actions: [],
    approvals: [],
    transitions: [{ from: null, to: "NEW", at, by: "open", reason: `detected by ${finding.detection}` }],
    executionArn: options.executionArn,
  };
}

/** The incident as tasks carry it: without its evidence (which stays in the store). */
export function workingIncident(incident: Incident): WorkingIncident {
  const { evidence: _evidence, ...working } = incident;
  return working;
}

export async function openIncident(
  finding: Finding,
  execution: ExecutionRef,
  deps: TaskDeps,
): Promise<{ incident: WorkingIncident; duplicate: boolean; suppressed: boolean }> {
  const now = deps.now();
  const candidate = newIncident(finding, { executionArn: execution.id, mode: deps.mode, now });
  const { incident, created } = await deps.store.createIncident(candidate, {
    at: now.toISOString(),
    actor: "open",
    action: "incident.opened",
    detail: { detection: candidate.detection, executionArn: execution.id, eventIds: candidate.eventIds },
  });
  // Found, but opened by another execution (or none): never handle one incident twice.
  const duplicate = !created && incident.executionArn !== execution.id;
  if (duplicate) {
    deps.logger.info("duplicate delivery: the incident is already handled", {
      incidentId: incident.id,
      executionArn: incident.executionArn,
    });
    return { incident: workingIncident(incident), duplicate: true, suppressed: false };
  }
  await resolveEarlierIncidents(incident, deps);
  // Its risk already removed by a later event delivered first: the workflow finds it RESOLVED
  // and leaves it alone (triage routes it to dismiss, which does not move a RESOLVED incident).
  const resolved = await resolvedOnOpen(incident, deps);
  if (resolved) return { incident: workingIncident(resolved), duplicate: false, suppressed: false };
  const suppressed = await suppressIfExcepted(incident, deps);
  if (suppressed) return { incident: workingIncident(suppressed), duplicate: false, suppressed: true };
  return { incident: workingIncident(incident), duplicate: false, suppressed: false };
}

/**
 * A finding a time-boxed exception covers ends here: the incident moves from NEW to SUPPRESSED
 * (final) with the exception on it and in its audit trail, and the workflow stops before any
 * notice or remediation. A retry of the same execution finds it SUPPRESSED and stops again.
 */
async function suppressIfExcepted(incident: Incident, deps: TaskDeps): Promise<Incident | undefined> {
  if (incident.status === "SUPPRESSED") return incident;
  if (incident.status !== "NEW") return undefined;
  const stored = await deps.store.listExceptions({ activeAt: incident.time });
  const exception = coveringException(incident, [...stored, ...declaredExceptions(deps.config)]);
  if (!exception) return undefined;
  const at = deps.now().toISOString();
  const reason = `covered by exception ${exception.id} (${describeScope(exception.scope)}, owner ${exception.owner}, until ${exception.expiresAt})`;
  const moved = await deps.store.transition(
    incident.id,
    "SUPPRESSED",
    { at, by: "open", reason },
    { suppressedBy: suppressionOf(exception) },
  );
  if (!moved.applied) return moved.incident.status === "SUPPRESSED" ? moved.incident : undefined;
  await deps.store.appendAudit({
    incidentId: incident.id,
    at,
    actor: "open",
    action: "incident.suppressed",
    detail: { exceptionId: exception.id, owner: exception.owner, expiresAt: exception.expiresAt },
  });
  deps.logger.info("finding covered by an exception: recorded as SUPPRESSED", {
    incidentId: incident.id,
    exceptionId: exception.id,
  });
  return moved.incident;
}
