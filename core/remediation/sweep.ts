import type { TaskDeps } from "../task-deps.js";
import { deniedUntil, TEMPORARY_DENY_POLICY } from "./analysis/iam-policy.js";
import { hasCode, messageOf } from "./aws/errors.js";
import { type AwsGateway, createAwsGateway } from "./aws/gateway.js";
import { defaultLedger } from "./breaker.js";

/**
 * Cleans up after changes that expire: a temporary deny stops applying by itself at its
 * `aws:CurrentTime`, and once it has, the sweep deletes the inert policy. It runs periodically
 * (the local runtime's timer, a scheduled function on AWS); a policy re-applied with a later end
 * is left until then. One failing entry never stops the others.
 */

export interface SweepResult {
  removed: string[];
  pending: string[];
  failed: { id: string; error: string }[];
}

export async function sweepExpiredChanges(
  deps: TaskDeps,
  options: { gateway?: AwsGateway } = {},
): Promise<SweepResult> {
  const result: SweepResult = { removed: [], pending: [], failed: [] };
  if (deps.mode !== "live") return result;
  const ledger = deps.ledger ?? defaultLedger();
  const now = deps.now();
  const due = await ledger.due(now.toISOString());
  const gateway =
    options.gateway ?? createAwsGateway({ aws: deps.aws, region: deps.aws.region ?? "us-east-1", logger: deps.logger });
  for (const entry of due) {
    const userName = entry.detail?.userName;
    if (entry.action !== "iam-deny-temporarily" || !userName) {
      await ledger.clear(entry.id);
      continue;
    }
    try {
      const policy = await gateway
        .send("iam", "GetUserPolicy", { UserName: userName, PolicyName: TEMPORARY_DENY_POLICY })
        .catch((error: unknown) => {
          if (hasCode(error, ["NoSuchEntity", "NoSuchEntityException"])) return undefined;
          throw error;
        });
      const until = deniedUntil(policy?.PolicyDocument);
      if (until && Date.parse(until) > now.getTime()) {
        // Re-applied with a later end: come back then.
        await ledger.setExpiry(entry.id, until, entry.detail);
        result.pending.push(entry.id);
        continue;
      }
      if (policy)
        await gateway.send("iam", "DeleteUserPolicy", { UserName: userName, PolicyName: TEMPORARY_DENY_POLICY });
      await ledger.clear(entry.id);
      await deps.store.appendAudit({
        incidentId: entry.incidentId,
        at: now.toISOString(),
        actor: "sweep",
        action: "action.expired",
        detail: { action: entry.action, target: entry.target, removed: policy !== undefined },
      });
      result.removed.push(entry.id);
    } catch (error) {
      deps.logger.warn("expired change not cleaned up", { entry: entry.id, error: messageOf(error) });
      result.failed.push({ id: entry.id, error: messageOf(error) });
    }
  }
  return result;
}

/**
 * Run the sweep every `everyMs` (the local runtime's timer; on AWS a scheduled function calls
 * `sweepExpiredChanges` instead). Returns a function that stops it. Failures are logged, never thrown.
 */
export function scheduleSweep(deps: TaskDeps, everyMs = 60_000): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepExpiredChanges(deps)
      .catch((error: unknown) => deps.logger.warn("sweep of expired changes failed", { error: messageOf(error) }))
      .finally(() => {
        running = false;
      });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
