import type { RiposteConfig } from "../../core/config/schema.js";
import { silentLogger } from "../../core/log.js";
import type { RemediationActionId } from "../../core/model/actions.js";
import type { AppliedAction, Incident, VerifyResult } from "../../core/model/incident.js";
import type { WorkingIncident } from "../../core/model/tasks.js";
import { type AwsGateway, createAwsGateway } from "../../core/remediation/aws/gateway.js";
import { planAction, planRemediation } from "../../core/remediation/policy.js";
import { remediate } from "../../core/remediation/remediate.js";
import { verifyRemediation } from "../../core/remediation/verify.js";
import { MemoryStore } from "../../core/store/memory.js";
import { MemoryActionLedger } from "../../core/store/memory-ledger.js";
import type { TaskDeps } from "../../core/task-deps.js";
import { motoAvailable, motoClientConfig } from "../support/moto.js";
import { REGION } from "./fixtures.js";
import { plannedOrThrow } from "./mock-aws.js";

/** Running remediation end to end (plan → remediate → verify) against a store and an AWS endpoint. */

export const noSleep = async () => {};

const noCallbacks = {
  sendTaskSuccess: async () => {},
  sendTaskFailure: async () => {},
  sendTaskHeartbeat: async () => {},
};

export function taskDeps(config: RiposteConfig, overrides: Partial<TaskDeps> = {}): TaskDeps {
  return {
    config,
    store: new MemoryStore(),
    logger: silentLogger,
    now: () => new Date(),
    aws: { region: REGION, maxAttempts: 1 },
    mode: "live",
    secrets: {},
    callbacks: noCallbacks,
    ledger: new MemoryActionLedger(),
    ...overrides,
  };
}

/** A gateway to an emulator with its test credentials. */
export function motoGateway(endpoint: string): AwsGateway {
  const { credentials, ...aws } = motoClientConfig(endpoint, REGION);
  return createAwsGateway({ aws, region: REGION, logger: silentLogger, clientConfig: { credentials }, sleep: noSleep });
}

export interface EndToEnd {
  actions: AppliedAction[];
  verification: VerifyResult;
  stored: Incident;
}

/**
 * Store the incident, plan it, remediate it and verify it, as the workflow would; `approvedBy`
 * stands for a person approving the plan (destructive actions need one); `action` plans that
 * action instead of the detection's response.
 */
export async function runEndToEnd(
  incident: WorkingIncident,
  deps: TaskDeps,
  gateway: AwsGateway,
  options: { approvedBy?: string; action?: RemediationActionId } = {},
): Promise<EndToEnd> {
  await deps.store.createIncident({ ...incident, evidence: [] });
  const plan = options.action
    ? [plannedOrThrow(planAction(options.action, incident, deps.config, deps.now()))]
    : planRemediation(incident, deps.config, deps.now());
  const approval = options.approvedBy
    ? { decision: "approve" as const, approver: options.approvedBy, at: deps.now().toISOString() }
    : undefined;
  const { actions } = await remediate({ incident, plan, ...(approval ? { approval } : {}) }, deps, { gateway });
  const verification = await verifyRemediation({ incident, actions }, deps, { gateway, sleep: noSleep });
  const stored = await deps.store.getIncident(incident.id);
  if (!stored) throw new Error("incident vanished from the store");
  return { actions, verification, stored };
}

/** The describe title for a moto suite: it says so when moto is missing and the suite skips. */
export function motoSuite(name: string): string {
  return motoAvailable() ? `${name} (moto)` : `${name} (skipped: python3 -m moto.server is not available)`;
}
