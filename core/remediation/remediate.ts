import type { z } from "zod";
import type { AppliedAction, PlannedAction } from "../model/incident.js";
import type { RemediateInputSchema } from "../model/tasks.js";
import type { TaskDeps } from "../task-deps.js";
import { quoted } from "./actions/facts.js";
import { AwsCallError } from "./aws/errors.js";
import { type AwsGateway, createAwsGateway } from "./aws/gateway.js";
import { createCircuitBreaker, defaultLedger } from "./breaker.js";
import { actorArns, causedByTool, protectedPrincipal, protectedResource } from "./guardrails.js";
import { type ActionEnv, runAction } from "./run.js";

/**
 * Remediate an incident: move it to PROCESSING (never backwards), re-check the guardrails, and
 * run each planned action — recording every outcome, with its snapshots and exact calls, on the
 * incident and in the audit trail as it happens, so a retried task finds the work already done.
 */

export type RemediateInput = z.output<typeof RemediateInputSchema>;

export interface RemediateOptions {
  /** Replaces the AWS gateway (tests). */
  gateway?: AwsGateway;
}

function skippedAll(plan: PlannedAction[], mode: AppliedAction["mode"], at: string, error: string): AppliedAction[] {
  return plan.map((planned) => ({ ...planned, calls: [], mode, outcome: "skipped", at, error }));
}

/** Why nothing may be done at all, checked again at remediation time (defence in depth). */
function refusal(input: RemediateInput, deps: TaskDeps): string | undefined {
  const { incident, approval } = input;
  if (deps.mode === "off") return "remediation is off (remediation mode off)";
  if (approval?.decision === "reject") return `the plan was rejected by ${quoted(approval.approver)}`;
  const enrichment = incident.enrichment;
  return (
    causedByTool(incident, deps.config, enrichment) ??
    protectedResource(incident, deps.config, enrichment) ??
    protectedPrincipal(actorArns(incident, enrichment), deps.config)
  );
}

/** Which account the live credentials act in; a plan for another account is not run. */
async function accountMismatch(gateway: AwsGateway, account: string): Promise<string | undefined> {
  if (!/^\d{12}$/.test(account)) return undefined;
  let identity: { Account?: string };
  try {
    identity = await gateway.send("sts", "GetCallerIdentity", {});
  } catch (error) {
    if (error instanceof AwsCallError) return `the AWS credentials cannot be used (${error.message})`;
    throw error;
  }
  if (!identity.Account || identity.Account === account) return undefined;
  return `the incident is in account ${account} but the credentials act in ${identity.Account}: cross-account remediation is not set up`;
}

export async function remediate(
  input: RemediateInput,
  deps: TaskDeps,
  options: RemediateOptions = {},
): Promise<{ actions: AppliedAction[] }> {
  const { plan, approval } = input;
  const now = deps.now();
  const at = now.toISOString();
  const mode = deps.mode === "live" ? "live" : "dry-run";
  const reason = approval ? `approved by ${quoted(approval.approver)}` : "automatic remediation";
  const moved = await deps.store.transition(input.incident.id, "PROCESSING", { at, by: "remediate", reason });
  // The facts the plan was made from, with the enrichment the store has by now (the workflow's
  // copy of the incident may predate it): protection and production are judged on both.
  const incident = { ...input.incident, enrichment: moved.incident.enrichment ?? input.incident.enrichment };
  const entry = (action: string, detail: Record<string, unknown>) => ({ at, actor: "remediate", action, detail });
  const audit = (action: string, detail: Record<string, unknown>) =>
    deps.store.appendAudit({ incidentId: incident.id, ...entry(action, detail) });

  let refused =
    moved.incident.status === "PROCESSING"
      ? refusal({ ...input, incident }, deps)
      : `the incident is already ${moved.incident.status}`;
  const gateway =
    mode === "live" && !refused
      ? (options.gateway ??
        createAwsGateway({
          aws: deps.aws,
          region: incident.region || deps.aws.region || "us-east-1",
          logger: deps.logger,
        }))
      : undefined;
  if (gateway) refused = await accountMismatch(gateway, incident.account);
  if (refused) {
    deps.logger.warn("remediation refused", { reason: refused });
    const actions = skippedAll(plan, mode, at, `${refused}: nothing was done`);
    await audit("remediation.refused", { reason: refused });
    return { actions };
  }

  const ledger = deps.ledger ?? defaultLedger();
  const env: ActionEnv = {
    config: deps.config,
    incident,
    now,
    logger: deps.logger,
    mode,
    ...(gateway ? { aws: gateway } : {}),
    breaker: createCircuitBreaker(ledger, deps.config),
    ledger,
    approved: approval?.decision === "approve",
  };
  const actions: AppliedAction[] = [];
  for (const planned of plan) {
    const previous = (await deps.store.getIncident(incident.id))?.actions ?? [];
    // A task run again after a crash (Step Functions and the interpreter run a task at least once)
    // finds the dry-run it already recorded: the same plan gives the same calls, so it is reused,
    // not recorded twice. Live actions run again and report "already done" themselves.
    const recorded = previous.find(
      (a) =>
        a.action === planned.action && a.target === planned.target && a.outcome === "dry-run" && mode === "dry-run",
    );
    const appliedEntry = (applied: AppliedAction) =>
      entry(`action.${applied.outcome}`, {
        action: applied.action,
        target: applied.target,
        mode: applied.mode,
        calls: applied.calls,
        ...(applied.error ? { error: applied.error } : {}),
      });
    if (recorded) {
      actions.push(recorded);
      // On DynamoDB a crash may have come between recording the dry-run on the incident and
      // auditing it (two writes there; one transaction on SQLite).
      const audited = (await deps.store.listAudit(incident.id)).some(
        (entry) =>
          entry.action === "action.dry-run" &&
          entry.detail?.action === recorded.action &&
          entry.detail?.target === recorded.target,
      );
      if (!audited) await deps.store.appendAudit({ incidentId: incident.id, ...appliedEntry(recorded) });
      continue;
    }
    const applied = await runAction(planned, env);
    actions.push(applied);
    const others = previous.filter((a) => a.action !== applied.action || a.target !== applied.target);
    await deps.store.patchIncident(incident.id, { actions: [...others, applied] }, appliedEntry(applied));
    const fields = { action: applied.action, outcome: applied.outcome, calls: applied.calls.length };
    if (applied.outcome === "failed" || applied.outcome === "skipped")
      deps.logger.warn("remediation action not done", fields);
    else deps.logger.info("remediation action finished", fields);
  }
  return { actions };
}
