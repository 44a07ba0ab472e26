import type { z } from "zod";
import { TransientError } from "../errors.js";
import type { AppliedAction, VerifyResult } from "../model/incident.js";
import type { VerifyInputSchema } from "../model/tasks.js";
import type { TaskDeps } from "../task-deps.js";
import { AwsCallError } from "./aws/errors.js";
import { type AwsGateway, createAwsGateway } from "./aws/gateway.js";
import { CannotPlan } from "./errors.js";
import { getAction } from "./registry.js";
import type { VerifyCheck } from "./types.js";

/**
 * Proof that remediation worked: every live action's target is read again and judged. A check
 * that fails is re-read a few times first (`remediation.verify`), because AWS reads can lag
 * behind writes. Skipped and failed actions fail verification; dry-run actions pass with a check
 * that says nothing was sent.
 */

export type VerifyInput = z.output<typeof VerifyInputSchema>;

export interface VerifyOptions {
  gateway?: AwsGateway;
  /** Pause between re-reads; injectable so tests never wait. */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function named(applied: AppliedAction, checks: VerifyCheck[]): VerifyCheck[] {
  return checks.map((c) => ({ ...c, name: `${applied.action} ${applied.target}: ${c.name}` }));
}

async function verifyLive(
  applied: AppliedAction,
  input: VerifyInput,
  deps: TaskDeps,
  gateway: AwsGateway,
  sleep: (ms: number) => Promise<void>,
): Promise<VerifyCheck[]> {
  const action = getAction(applied.action);
  const resolved = action.resolve(input.incident, deps.config);
  if (!resolved.ok) return [{ name: "target", ok: false, detail: resolved.reason }];
  const { attempts, delaySeconds } = deps.config.remediation.verify;
  let checks: VerifyCheck[] = [];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const ctx = {
      config: deps.config,
      now: deps.now(),
      incident: input.incident,
      target: resolved.target,
      aws: gateway,
      logger: deps.logger,
    };
    try {
      checks = await action.verify(ctx);
    } catch (error) {
      if (error instanceof TransientError) throw error;
      if (!(error instanceof CannotPlan || error instanceof AwsCallError)) throw error;
      checks = [{ name: "read back", ok: false, detail: error.message }];
    }
    if (checks.every((c) => c.ok) || attempt === attempts) break;
    deps.logger.info("verification not yet satisfied; reading again", { action: applied.action, attempt });
    await sleep(delaySeconds * 1000);
  }
  return checks;
}

export async function verifyRemediation(
  input: VerifyInput,
  deps: TaskDeps,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const { incident, actions } = input;
  const sleep = options.sleep ?? realSleep;
  let gateway = options.gateway;
  const checks: VerifyCheck[] = [];
  for (const applied of actions) {
    if (applied.outcome === "dry-run") {
      checks.push(
        ...named(applied, [
          {
            name: "dry-run",
            ok: true,
            detail: `${applied.calls.length} ${applied.calls.length === 1 ? "call" : "calls"} recorded, none sent: nothing to verify live`,
          },
        ]),
      );
    } else if (applied.outcome === "skipped" || applied.outcome === "failed") {
      checks.push(...named(applied, [{ name: applied.outcome, ok: false, detail: applied.error ?? applied.outcome }]));
    } else {
      gateway ??= createAwsGateway({
        aws: deps.aws,
        region: incident.region || deps.aws.region || "us-east-1",
        logger: deps.logger,
      });
      checks.push(...named(applied, await verifyLive(applied, input, deps, gateway, sleep)));
    }
  }
  if (checks.length === 0) checks.push({ name: "remediation", ok: false, detail: "no action was taken" });
  const result: VerifyResult = { verified: checks.every((c) => c.ok), checks };
  await deps.store.patchIncident(
    incident.id,
    { verification: result },
    {
      at: deps.now().toISOString(),
      actor: "verify",
      action: result.verified ? "verification.passed" : "verification.failed",
      detail: { checks },
    },
  );
  return result;
}
