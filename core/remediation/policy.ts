import type { RiposteConfig } from "../config/schema.js";
import type { RemediationActionId } from "../model/actions.js";
import type { Decision, Enrichment, PlannedAction, RemediationMode, Score } from "../model/incident.js";
import type { WorkingIncident } from "../model/tasks.js";
import { principalArn } from "./actions/iam-principal.js";
import { CannotPlan } from "./errors.js";
import { actorArns, causedByTool, isProduction, protectedPrincipal, protectedResource } from "./guardrails.js";
import { getPlanner } from "./planners.js";
import {
  actionDependsOnFinding,
  chooseActions,
  configuredModeOf,
  defaultModeOfAction,
  responseOf,
} from "./responses.js";
import { type IncidentView, isDestructive } from "./types.js";

/**
 * Remediation policy: what would be done about an incident (the plan), and whether it is done
 * automatically, after approval, or not at all (the decision). The plan is computed from the
 * incident's facts alone, without reading AWS; the remediate task re-reads live before acting.
 */

export interface PlanExplanation {
  plan: PlannedAction[];
  /** Why actions were left out or adjusted, in plain words. */
  notes: string[];
  /** ARNs of the IAM principals the plan acts on (checked against protected principals). */
  principalTargets: string[];
}

/** One action planned from the facts alone, with its target; or why it does not apply. */
export type ActionPlan = { ok: true; planned: PlannedAction; target: unknown } | { ok: false; note: string };

/** Plan one action for an incident from its facts, without reading AWS. */
export function planAction(
  id: RemediationActionId,
  incident: IncidentView,
  config: RiposteConfig,
  now: Date = new Date(),
): ActionPlan {
  const planner = getPlanner(id);
  const resolved = planner.resolve(incident, config);
  if (!resolved.ok) return { ok: false, note: `${id}: ${resolved.reason}` };
  const ctx = { config, now, incident, target: resolved.target };
  try {
    const calls = planner.plan({ ...ctx, state: planner.assume(ctx) });
    const planned: PlannedAction = {
      action: id,
      target: planner.label(resolved.target),
      description: planner.describe(ctx),
      destructive: isDestructive(planner, resolved.target),
      calls,
      permissions: [...planner.permissions],
    };
    return { ok: true, planned, target: resolved.target };
  } catch (error) {
    if (!(error instanceof CannotPlan)) throw error;
    return { ok: false, note: `${id}: ${error.message}` };
  }
}

/** The plan for an incident, with the reasons for anything left out. */
export function explainPlan(incident: IncidentView, config: RiposteConfig, now: Date = new Date()): PlanExplanation {
  const chosen = chooseActions(incident, config);
  const notes = [...chosen.notes];
  const plan: PlannedAction[] = [];
  const principalTargets: string[] = [];
  for (const id of chosen.actions) {
    const planned = planAction(id, incident, config, now);
    if (!planned.ok) {
      notes.push(planned.note);
      continue;
    }
    plan.push(planned.planned);
    const target = planned.target as { kind?: unknown; name?: unknown; userNameHint?: unknown };
    if ((target.kind === "user" || target.kind === "role") && typeof target.name === "string") {
      principalTargets.push(principalArn({ kind: target.kind, name: target.name }, incident.account, incident.region));
    } else if (typeof target.userNameHint === "string") {
      principalTargets.push(
        principalArn({ kind: "user", name: target.userNameHint }, incident.account, incident.region),
      );
    }
  }
  return { plan, notes, principalTargets };
}

/** The remediation plan for an incident (empty when no remediation exists or applies). */
export function planRemediation(
  incident: WorkingIncident,
  config: RiposteConfig,
  now: Date = new Date(),
): PlannedAction[] {
  return explainPlan(incident, config, now).plan;
}

export interface DecideArgs {
  incident: WorkingIncident;
  enrichment: Enrichment;
  score: Score;
  config: RiposteConfig;
  mode: RemediationMode;
  /** The clock for time-boxed plans; defaults to now. */
  now?: Date;
}

function route(route: Decision["route"], reason: string, plan: PlannedAction[] = []): Decision {
  return { route, reason, plan };
}

/**
 * How an incident is handled once scored. The rules apply in this order, first match wins:
 *
 *  1. remediation mode `off`                                  → notify
 *  2. the detection's mode (configured, else its default): `off` → dismiss, `notify` → notify
 *  3. score below `scoring.dismissBelow`                       → dismiss
 *  4. score below `scoring.remediateAt`                        → notify
 *  5. no remediation plan (none exists, or none applies)       → notify, saying why
 *  6. the event was caused by Riposte's own role (loop)        → dismiss
 *  7. a protected resource or principal                        → notify, saying which
 *  8. mode `approval`, a destructive action, a production target, or events posted to the
 *     intake (`fromIntake`, unless `remediation.autoRemediateIntake`) → approval, with a timeout;
 *     an unanswered approval rejects for destructive, production or intake plans, else does what
 *     `remediation.onApprovalTimeout` says
 *  9. otherwise                                                 → auto
 */
export function decide(args: DecideArgs): Decision {
  return withConfirmation(decideRoute(args), args);
}

/**
 * A remediation of a detection listed under `confirmation.detections` asks its actor "was this
 * you?" first. Not for events posted to the intake unless `remediation.autoRemediateIntake`
 * trusts them: anyone with its token can make them up, and a "No" would remediate without the
 * approval they otherwise need.
 */
function withConfirmation(decision: Decision, args: DecideArgs): Decision {
  const { incident, config } = args;
  const confirmation = config.confirmation;
  if (decision.route !== "auto" && decision.route !== "approval") return decision;
  if (decision.plan.length === 0) return decision;
  if (incident.fromIntake === true && !config.remediation.autoRemediateIntake) return decision;
  if (!confirmation.detections.includes(incident.detection)) return decision;
  return {
    ...decision,
    confirmation: { timeoutSeconds: confirmation.timeoutMinutes * 60, keepHours: confirmation.keepHoursMax },
  };
}

function decideRoute(args: DecideArgs): Decision {
  const { incident, enrichment, score, config, mode } = args;
  const detection = incident.detection;
  if (mode === "off") return route("notify", "remediation is off (remediation mode off): notify only");

  const explained = explainPlan(incident, config, args.now ?? new Date());
  const actionMode =
    actionDependsOnFinding(detection) && explained.plan[0]
      ? defaultModeOfAction(explained.plan[0].action as Parameters<typeof defaultModeOfAction>[0])
      : responseOf(incident).mode;
  const configured = configuredModeOf(config, detection);
  const detectionMode = configured ?? actionMode;
  if (detectionMode === "off") return route("dismiss", `detection ${detection} is switched off`);
  if (detectionMode === "notify") {
    if (configured) return route("notify", `detection ${detection} is set to notify only`);
    return route("notify", explained.notes.join("; ") || `detection ${detection} is notify only by default`);
  }

  const { dismissBelow, remediateAt } = config.scoring;
  if (score.value < dismissBelow) {
    return route("dismiss", `score ${score.value} is below the dismissal threshold ${dismissBelow}`);
  }
  if (score.value < remediateAt) {
    return route("notify", `score ${score.value} is below the remediation threshold ${remediateAt}: notify only`);
  }
  if (explained.plan.length === 0) {
    return route("notify", explained.notes.join("; ") || `no remediation applies to ${detection}: notify only`);
  }

  const loop = causedByTool(incident, config, enrichment);
  if (loop) return route("dismiss", loop);
  const actions = explained.plan.map((p) => p.action).join(", ");
  const guarded =
    protectedResource(incident, config, enrichment) ??
    protectedPrincipal([...actorArns(incident, enrichment), ...explained.principalTargets], config);
  if (guarded) return route("notify", `${guarded}: notify instead of ${actions}`);

  const destructive = explained.plan.filter((p) => p.destructive).map((p) => p.action);
  const production = isProduction(incident, config, enrichment);
  const intake = incident.fromIntake === true && !config.remediation.autoRemediateIntake;
  const needs = [
    ...(detectionMode === "approval" ? [`detection ${detection} requires approval`] : []),
    ...destructive.map((action) => `${action} is destructive`),
    ...(production ? ["the target is production-tagged"] : []),
    ...(intake ? ["the events were posted to POST /api/events (remediation.autoRemediateIntake is off)"] : []),
  ];
  if (needs.length > 0) {
    const strict = destructive.length > 0 || production || intake;
    return {
      route: "approval",
      reason: `approval needed: ${needs.join("; ")}`,
      plan: explained.plan,
      approval: {
        timeoutSeconds: config.approval.timeoutSeconds,
        onTimeout: strict ? "reject" : config.remediation.onApprovalTimeout,
      },
    };
  }
  return route(
    "auto",
    `score ${score.value} reaches ${remediateAt} and ${actions} may run automatically`,
    explained.plan,
  );
}
