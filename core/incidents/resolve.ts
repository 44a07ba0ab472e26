import { z } from "zod";
import { deliverDecision, recordDecision } from "../approval/resume.js";
import { RESOLVABLE_DETECTIONS, sgRiskResolved } from "../detections/network/sg-risk-resolved.js";
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
 *
 * "Earlier" and "later" are event times (the findings' `time`), not the order the incidents were
 * opened in: deliveries come in any order (EventBridge on AWS; separate posts and sources in
 * `riposte serve`). So a resolver resolves the incidents already open whose event is no later
 * than its own, and an incident opened after its resolver finds it (`resolvedOnOpen`): either
 * way round, the incident that opened first is found by the one that opened second. (On AWS the
 * incidents are listed through DynamoDB's resource index, which is eventually consistent: two
 * incidents opened within its propagation delay can still miss each other.)
 */

// Finished incidents that were acted on keep their outcome: the risk was already removed by us.
const UNRESOLVABLE = new Set(["RESOLVED", "MITIGATED"]);
const PAGE = 200;

/** The detections whose findings resolve earlier incidents (they carry `resolves`). */
const RESOLVERS: ReadonlySet<string> = new Set([sgRiskResolved.id]);

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

/**
 * Whether `earlier`'s event came no later than `resolver`'s (a revoke in the same second as the
 * rule's creation resolves it). Times that do not parse fall back to the order they were opened in.
 */
function happenedNoLater(earlier: Incident, resolver: Incident): boolean {
  const earlierMs = Date.parse(earlier.time);
  const resolverMs = Date.parse(resolver.time);
  if (Number.isNaN(earlierMs) || Number.isNaN(resolverMs)) return earlier.createdAt <= resolver.createdAt;
  return earlierMs <= resolverMs;
}

/** Whether `resolver` removes `earlier`'s risk: its detection, its event time, its rules. */
function resolves(resolver: Incident, earlier: Incident): boolean {
  return (
    resolver.resolves !== undefined &&
    resolver.id !== earlier.id &&
    resolver.resolves.resource === earlier.resource &&
    resolver.resolves.detections.includes(earlier.detection) &&
    !UNRESOLVABLE.has(earlier.status) &&
    happenedNoLater(earlier, resolver) &&
    removesRisk(earlier.facts, resolver.resolves.facts ?? resolver.facts)
  );
}

/** Every incident on a resource (summaries, all pages). */
async function incidentsOn(resource: string, deps: TaskDeps): Promise<IncidentSummary[]> {
  const found: IncidentSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.listIncidents({ resource, limit: PAGE, cursor });
    found.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return found;
}

/** Move `earlier` to RESOLVED by `resolver`, with its audit entry (one write); undefined if it had moved on. */
async function markResolved(
  earlier: Incident,
  resolver: Incident,
  at: string,
  deps: TaskDeps,
): Promise<Incident | undefined> {
  const moved = await deps.store.transition(
    earlier.id,
    "RESOLVED",
    { at, by: "open", reason: `the risk was removed by a later event (incident ${resolver.id})` },
    { resolvedBy: resolver.id },
    {
      at,
      actor: "open",
      action: "incident.resolved",
      detail: { resolvedBy: resolver.id, detection: resolver.detection },
    },
  );
  return moved.applied ? moved.incident : undefined;
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
  const { detections } = resolver.resolves;
  const at = deps.now().toISOString();
  const resolved: string[] = [];
  for (const summary of await incidentsOn(resolver.resolves.resource, deps)) {
    if (summary.id === resolver.id || !detections.includes(summary.detection) || UNRESOLVABLE.has(summary.status)) {
      continue;
    }
    const earlier = await deps.store.getIncident(summary.id);
    if (!earlier || !resolves(resolver, earlier) || !(await markResolved(earlier, resolver, at, deps))) continue;
    resolved.push(earlier.id);
    await closePendingApprovals(earlier.id, resolver.id, at, deps);
  }
  if (resolved.length > 0) deps.logger.info("earlier incidents resolved", { incidentId: resolver.id, resolved });
  return resolved;
}

/** How much later in event time a resolver delivered first may be than an incident it resolves on opening. */
export const LATE_DELIVERY_MS = 60 * 60_000;
/** How far past its own opening a resolver's event time may be (clocks disagree a little, never by hours). */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Whether `resolver`, already open, may resolve `incident` as it opens: the out-of-order delivery
 * this is for is a matter of minutes, so its event is at most `LATE_DELIVERY_MS` later than the
 * incident's, and not from the future when it was opened (a made-up revoke posted with a far-off
 * `eventTime` would otherwise close every incident of its group opened until then); a resolver
 * from `POST /api/events` resolves only incidents from there too (anyone with the intake token
 * can post one).
 */
function mayResolveOnOpen(resolver: Incident, incident: Incident): boolean {
  const resolverMs = Date.parse(resolver.time);
  const lateBy = resolverMs - Date.parse(incident.time);
  return (
    lateBy <= LATE_DELIVERY_MS &&
    resolverMs <= Date.parse(resolver.createdAt) + CLOCK_SKEW_MS &&
    (resolver.fromIntake !== true || incident.fromIntake === true)
  );
}

/**
 * An incident just opened whose risk a resolver already open removed (its event came later, but
 * was delivered first): RESOLVED at once, by that resolver. Returns the incident as it now is, or
 * undefined when no resolver covers it. Only the detections a resolver names are looked up.
 */
export async function resolvedOnOpen(incident: Incident, deps: TaskDeps): Promise<Incident | undefined> {
  if (!RESOLVABLE_DETECTIONS.has(incident.detection) || UNRESOLVABLE.has(incident.status)) return undefined;
  for (const summary of await incidentsOn(incident.resource, deps)) {
    if (!RESOLVERS.has(summary.detection)) continue;
    const resolver = await deps.store.getIncident(summary.id);
    if (!resolver || !resolves(resolver, incident) || !mayResolveOnOpen(resolver, incident)) continue;
    const resolved = await markResolved(incident, resolver, deps.now().toISOString(), deps);
    if (resolved) {
      deps.logger.info("incident resolved on opening: a later event already removed its risk", {
        incidentId: incident.id,
        resolvedBy: resolver.id,
      });
    }
    return resolved;
  }
  return undefined;
}
