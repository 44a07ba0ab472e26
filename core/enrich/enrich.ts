import type { Enrichment } from "../model/incident.js";
import type { WorkingIncident } from "../model/tasks.js";
import type { PrincipalBaseline } from "../store/ports.js";
import type { TaskDeps } from "../task-deps.js";
import { principalHistory } from "./history.js";
import { describeLive } from "./live.js";
import { describePrincipal } from "./principal.js";
import { type ResourceContext, resourceContext, resourceFromFacts } from "./resource.js";
import { describeSource, type SourceContext } from "./source.js";

function failure(step: string, error: unknown): string {
  const name = error instanceof Error ? error.name : "Error";
  const message = error instanceof Error ? error.message : String(error);
  return `${step}: ${name}: ${message}`;
}

/** The detections' sign-in baseline of the incident's principal before its event, when the runtime has one. */
async function signInBaseline(incident: WorkingIncident, deps: TaskDeps): Promise<PrincipalBaseline | undefined> {
  const principal = incident.principal || (typeof incident.facts.userName === "string" ? incident.facts.userName : "");
  const time = Date.parse(incident.time);
  if (!deps.baselines || !principal || Number.isNaN(time)) return undefined;
  return deps.baselines.before(incident.account, principal, time);
}

async function enrichResource(
  incident: WorkingIncident,
  deps: TaskDeps,
  errors: string[],
): Promise<ResourceContext | undefined> {
  const ref = resourceFromFacts(incident);
  if (!ref) return undefined;
  // Live descriptions only when remediation is live: dry-run and scan never touch AWS.
  if (deps.mode === "live") {
    const region = incident.region || deps.aws.region || "us-east-1";
    const live = await describeLive(ref, region, deps.aws);
    errors.push(...live.errors);
    if (live.tags) ref.tags = { ...ref.tags, ...live.tags };
    ref.related = { ...ref.related, ...live.related };
  }
  return resourceContext(ref, deps.config);
}

/**
 * Context for an incident: where the source address is (and whether we trust it), who the
 * principal is and what they usually do, and the resource with its tags and related objects.
 * Every step degrades on its own: a failure is recorded in `errors`, never thrown.
 */
export async function enrichIncident(incident: WorkingIncident, deps: TaskDeps): Promise<Enrichment> {
  const errors: string[] = [];

  let source: SourceContext | undefined;
  if (incident.sourceIp) {
    try {
      source = describeSource(incident.sourceIp, deps.config);
    } catch (error) {
      errors.push(failure("source", error));
    }
  }

  let principal: Enrichment["principal"];
  try {
    const identity = describePrincipal(incident);
    let signIns: PrincipalBaseline | undefined;
    try {
      signIns = await signInBaseline(incident, deps);
    } catch (error) {
      errors.push(failure("principal baseline", error));
    }
    let history = {};
    try {
      history = await principalHistory(incident, source, deps, signIns);
    } catch (error) {
      errors.push(failure("principal history", error));
    }
    principal = { ...identity, ...history };
  } catch (error) {
    errors.push(failure("principal", error));
  }

  let resource: ResourceContext | undefined;
  try {
    resource = await enrichResource(incident, deps, errors);
  } catch (error) {
    errors.push(failure("resource", error));
  }

  if (errors.length > 0) deps.logger.warn("enrichment degraded", { incidentId: incident.id, errors });
  return {
    ...(source ? { source } : {}),
    ...(principal ? { principal } : {}),
    ...(resource ? { resource } : {}),
    errors,
  };
}
