import type { RiposteConfig } from "../config/schema.js";
import { RemediationNotAllowed, TransientError } from "../errors.js";
import type { Logger } from "../log.js";
import type { AppliedAction, AwsCall, PlannedAction } from "../model/incident.js";
import type { ActionLedger, LedgerEntry } from "../store/ports.js";
import { quoted } from "./actions/facts.js";
import { AwsCallError, hasCode } from "./aws/errors.js";
import type { AwsGateway } from "./aws/gateway.js";
import { operationOf } from "./aws/operations.js";
import type { CircuitBreaker } from "./breaker.js";
import { CannotPlan } from "./errors.js";
import { isProduction, ownRole, protectedPrincipal, tagsProduction, tagsProtect, toolPrincipal } from "./guardrails.js";
import { getAction } from "./registry.js";
import { type AnyAction, type IncidentView, isDestructive, type LiveContext } from "./types.js";

/**
 * Runs one planned action. Dry-run: plan from the facts and record the calls, sending nothing.
 * Live: read the target (the before-snapshot), refuse protected targets, plan from what is there
 * ("already fixed" and "already gone" are successes), pass the circuit breaker, send, re-read and
 * re-plan when the target moved underneath, then read again (the after-snapshot).
 */

export interface ActionEnv {
  config: RiposteConfig;
  incident: IncidentView;
  now: Date;
  logger: Logger;
  mode: "dry-run" | "live";
  /** Required live. */
  aws?: AwsGateway;
  breaker: CircuitBreaker;
  ledger: ActionLedger;
  /** A person approved the plan: the breaker counts the action but does not stop it. */
  approved: boolean;
}

/** Reads and re-plans after a conflict before the action counts as failed. */
const MAX_ATTEMPTS = 3;

type Outcome = AppliedAction["outcome"];

function recorded(
  planned: PlannedAction,
  env: ActionEnv,
  outcome: Outcome,
  fields: Partial<Pick<AppliedAction, "calls" | "before" | "after" | "error">> = {},
): AppliedAction {
  return {
    ...planned,
    calls: fields.calls ?? [],
    mode: env.mode,
    outcome,
    at: env.now.toISOString(),
    ...(fields.before !== undefined ? { before: fields.before } : {}),
    ...(fields.after !== undefined ? { after: fields.after } : {}),
    ...(fields.error !== undefined ? { error: fields.error } : {}),
  };
}

/** How a snapshot is kept on the applied action. */
function kept(read: { state: unknown; tags: Record<string, string>[] } | { gone: string }) {
  return "gone" in read ? { gone: read.gone } : { source: "live", state: read.state, tags: read.tags };
}

function writesSince(aws: AwsGateway, start: number): AwsCall[] {
  return aws.sent.slice(start).filter((call) => operationOf(call.service, call.operation).write);
}

/** Why an action may not run without approval, if it may not. */
function approvalReason(action: AnyAction, target: unknown, env: ActionEnv): string | undefined {
  if (isDestructive(action, target)) return `${action.id} is destructive: it runs only after approval`;
  if (isProduction(env.incident, env.config, env.incident.enrichment)) {
    return "the target is production-tagged: it changes only after approval";
  }
  return undefined;
}

/** Run one planned action; throws only `TransientError` (retry the task) and `RemediationNotAllowed`. */
export async function runAction(planned: PlannedAction, env: ActionEnv): Promise<AppliedAction> {
  const action = getAction(planned.action);
  const resolved = action.resolve(env.incident, env.config);
  if (!resolved.ok) return recorded(planned, env, "skipped", { error: resolved.reason });
  const target = resolved.target;
  const label = action.label(target);
  if (label !== planned.target) {
    throw new RemediationNotAllowed(
      `the plan targets ${quoted(planned.target)} but the incident's facts name ${quoted(label)}: nothing was done`,
    );
  }
  // Approval is always required for destructive actions and production targets, whatever
  // route the workflow took: checked here again, on the facts now and on live tags below.
  const unapproved = !env.approved && approvalReason(action, target, env);
  if (unapproved) return recorded(planned, env, "skipped", { error: unapproved });
  const ctx = { config: env.config, now: env.now, incident: env.incident, target };
  if (env.mode === "dry-run") {
    const state = action.assume(ctx);
    try {
      const calls = action.plan({ ...ctx, state });
      return recorded(planned, env, "dry-run", { calls, before: { source: "facts", state } });
    } catch (error) {
      if (error instanceof CannotPlan) return recorded(planned, env, "failed", { error: error.message });
      throw error;
    }
  }
  if (!env.aws) throw new Error("live remediation needs an AWS gateway");
  return runLive(action, planned, { ...ctx, aws: env.aws, logger: env.logger }, env, label);
}

async function runLive(
  action: AnyAction,
  planned: PlannedAction,
  live: LiveContext<unknown>,
  env: ActionEnv,
  label: string,
): Promise<AppliedAction> {
  const aws = live.aws;
  const start = aws.sent.length;
  try {
    let read = await action.snapshot(live);
    if ("gone" in read) return recorded(planned, env, "gone", { before: { gone: read.gone } });
    const before = kept(read);
    if (read.tags.some((tags) => tagsProtect(tags, env.config))) {
      const { key, value } = env.config.protection.tag;
      return recorded(planned, env, "skipped", {
        before,
        error: `${label} is protected (tag ${key}=${value}): not changed`,
      });
    }
    const principals = read.principals ?? [];
    const guarded =
      protectedPrincipal(principals, env.config) ??
      ownRole(principals, env.config) ??
      toolPrincipal(principals, env.config);
    if (guarded) return recorded(planned, env, "skipped", { before, error: `${guarded}: not changed` });
    if (!env.approved && read.tags.some((tags) => tagsProduction(tags, env.config))) {
      return recorded(planned, env, "skipped", {
        before,
        error: `${label} is production-tagged: it changes only after approval`,
      });
    }
    let calls = action.plan({ ...live, state: read.state });
    if (calls.length === 0) return recorded(planned, env, "already-done", { before, after: before });

    const entry: LedgerEntry = {
      id: `${env.incident.id}|${action.id}|${label}`,
      at: env.now.toISOString(),
      action: action.id,
      target: label,
      incidentId: env.incident.id,
    };
    const admission = await env.breaker.admit(entry, env.now, env.approved);
    if (!admission.allowed) return recorded(planned, env, "skipped", { before, calls, error: admission.reason });

    for (let attempt = 1; ; attempt++) {
      try {
        await action.apply({ ...live, calls });
        break;
      } catch (error) {
        if (hasCode(error, action.errors.gone)) {
          return recorded(planned, env, "gone", { before, calls: writesSince(aws, start) });
        }
        const moved = hasCode(error, action.errors.alreadyDone) || hasCode(error, action.errors.conflict);
        if (!moved || attempt >= MAX_ATTEMPTS) throw error;
        env.logger.info("target changed during remediation; reading it again", { action: action.id, attempt });
        read = await action.snapshot(live);
        if ("gone" in read) return recorded(planned, env, "gone", { before, calls: writesSince(aws, start) });
        calls = action.plan({ ...live, state: read.state });
        if (calls.length === 0) {
          return recorded(planned, env, "already-done", { before, calls: writesSince(aws, start), after: kept(read) });
        }
      }
    }
    const sent = writesSince(aws, start);
    const expiry = action.expiry?.(live.target, calls);
    if (expiry) await env.ledger.setExpiry(entry.id, expiry.at, expiry.detail);
    const after = await action.snapshot(live).then(kept, (error: unknown) => ({ error: String(error) }));
    return recorded(planned, env, "applied", { before, calls: sent, after });
  } catch (error) {
    if (error instanceof TransientError) throw error;
    if (error instanceof CannotPlan || error instanceof AwsCallError) {
      return recorded(planned, env, "failed", { calls: writesSince(aws, start), error: error.message });
    }
    throw error;
  }
}
