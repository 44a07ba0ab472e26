import { z } from "zod";
import { deliverDecision, recordDecision } from "../approval/resume.js";
import { type SgRule, SgRuleSchema } from "../model/facts.js";
import type { Incident, IncidentSummary } from "../model/incident.js";
import type { ApprovalResult } from "../model/tasks.js";
import { sameRuleShape } from "../risk/sg-rules.js";
import type { TaskDeps } from "../task-deps.js";

/**
 * A later event can remove an earlier incident's risk (`sg-risk-resolved`: the world-open rule
 * was revoked by someone). Those earlier incidents move to RESOLVED, pointing at the incident
 * that resolved them, and an approval still waiting on one of them is closed as rejected so its
 * workflow ends instead of remediating what is already gone.
 */

// Finished incidents that were acted on keep their outcome: the risk was already removed by us.
const UNRESOLVABLE = new Set(["RESOLVED", "MITIGATED"]);
const PAGE = 200;

const RulesSchema = z.object({ rules: z.array(SgRuleSchema) }).passthrough();

/** By id when both know it, else by shape as remediation matches rules (the shared risk model). */
function sameRule(a: SgRule, b: SgRule): boolean {
  if (a.ruleId && b.ruleId) return a.ruleId === b.ruleId;
  return sameRuleShape(a, b);
}

/**
 * Whether the removed rules take away all of an earlier incident's offending rules. When either
 * side does not list rules, the resource and detection match is all there is to go on.
 */
export function removesRisk(earlierFacts: unknown, removedFacts: unknown): boolean {
  const earlier = RulesSchema.safeParse(earlierFacts);
  const removed = RulesSchema.safeParse(removedFacts);
  if (!earlier.success || !removed.success || earlier.data.rules.length === 0) return true;
  return earlier.data.rules.every((rule) => removed.data.rules.some((gone) => sameRule(rule, gone)));
}

async function candidates(resolver: Incident, deps: TaskDeps): Promise<IncidentSummary[]> {
  const resolves = resolver.resolves;
  if (!resolves) return [];
  const found: IncidentSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.listIncidents({ resource: resolves.resource, limit: PAGE, cursor });
    found.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return found.filter(
    (summary) =>
      summary.id !== resolver.id &&
      resolves.detections.includes(summary.detection) &&
      !UNRESOLVABLE.has(summary.status) &&
      summary.createdAt <= resolver.createdAt,
  );
}

async function closePendingApprovals(incidentId: string, resolverId: string, at: string, deps: TaskDeps) {
  const pending = (await deps.store.listPendingApprovals()).filter((approval) => approval.incidentId === incidentId);
  for (const approval of pending) {
    const result: ApprovalResult = {
      decision: "reject",
      approver: "riposte",
      at,
      comment: `resolved by a later event (incident ${resolverId})`,
    };
    const decided = await deps.store.decideApproval(approval.id, "rejected", result, { resume: true, via: "riposte" });
    if (!decided.applied) continue;
    // Auditors see the closure where they see every decision: on the incident and in its trail.
    await recordDecision(decided.approval, deps);
    try {
      await deliverDecision(decided.approval, deps);
    } catch (error) {
      // The waiting task may already be gone (timed out); the incident is RESOLVED either way.
      deps.logger.warn("could not close the approval of a resolved incident", { incidentId, error });
    }
  }
}

/** Resolve the incidents `resolver` (a finding with `resolves`) removes the risk of; returns their ids. */
export async function resolveEarlierIncidents(resolver: Incident, deps: TaskDeps): Promise<string[]> {
  if (!resolver.resolves) return [];
  const at = deps.now().toISOString();
  const resolved: string[] = [];
  for (const summary of await candidates(resolver, deps)) {
    const earlier = await deps.store.getIncident(summary.id);
    if (!earlier || !removesRisk(earlier.facts, resolver.resolves.facts ?? resolver.facts)) continue;
    const moved = await deps.store.transition(
      earlier.id,
      "RESOLVED",
      { at, by: "open", reason: `the risk was removed by a later event (incident ${resolver.id})` },
      { resolvedBy: resolver.id },
    );
    if (!moved.applied) continue;
    resolved.push(earlier.id);
    await deps.store.appendAudit({
      incidentId: earlier.id,
      at,
      actor: "open",
      action: "incident.resolved",
      detail: { resolvedBy: resolver.id, detection: resolver.detection },
    });
    await closePendingApprovals(earlier.id, resolver.id, at, deps);
  }
  if (resolved.length > 0) deps.logger.info("earlier incidents resolved", { incidentId: resolver.id, resolved });
  return resolved;
}
