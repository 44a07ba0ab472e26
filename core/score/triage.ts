import type { Decision, Enrichment, Score } from "../model/incident.js";
import { isFinalStatus } from "../model/status.js";
import type { WorkingIncident } from "../model/tasks.js";
import { decide } from "../remediation/policy.js";
import type { TaskDeps } from "../task-deps.js";
import { scoreIncident } from "./score.js";

/**
 * Triage: score the incident, decide its route (remediation policy), and record both with the
 * move to TRIAGED in one write, with its audit entry. A retry after the move returns what was
 * recorded; an incident a later event already settled (RESOLVED…) is left alone.
 */
export async function triageIncident(
  incident: WorkingIncident,
  enrichment: Enrichment,
  deps: TaskDeps,
): Promise<{ score: Score; decision: Decision }> {
  const score = scoreIncident({ incident, enrichment, config: deps.config });
  const decision = decide({ incident, enrichment, score, config: deps.config, mode: deps.mode, now: deps.now() });
  const at = deps.now().toISOString();
  const reason = `score ${score.value} (${score.priority}): ${decision.route} — ${decision.reason}`;
  const moved = await deps.store.transition(
    incident.id,
    "TRIAGED",
    { at, by: "score", reason },
    { enrichment, score, decision },
    {
      at,
      actor: "score",
      action: "incident.triaged",
      detail: {
        score: score.value,
        priority: score.priority,
        factors: score.factors.map((factor) => `${factor.id} ${factor.points}`),
        route: decision.route,
        reason: decision.reason,
        actions: decision.plan.map((action) => action.action),
      },
    },
  );
  if (!moved.applied) {
    const current = moved.incident;
    if (isFinalStatus(current.status)) {
      return {
        score,
        decision: { route: "dismiss", reason: `incident already ${current.status}: nothing to do`, plan: [] },
      };
    }
    if (current.score && current.decision) return { score: current.score, decision: current.decision };
  }
  return { score, decision };
}
