import type { RiposteConfig } from "../../core/config/schema.js";
import { silentLogger } from "../../core/log.js";
import type { RemediationActionId } from "../../core/model/actions.js";
import type { WorkingIncident } from "../../core/model/tasks.js";
import { createAwsGateway } from "../../core/remediation/aws/gateway.js";
import { planAction } from "../../core/remediation/policy.js";
import { verifyRemediation } from "../../core/remediation/verify.js";
import { config } from "./fixtures.js";
import { noSleep, taskDeps } from "./harness.js";
import { type RunOptions, runPlanned } from "./mock-aws.js";

/**
 * One action, planned from an incident's facts alone and then run live through the runner and the
 * workflow's Verify entry point, against whatever answers the SDK clients (aws-sdk-client-mock).
 */

const NOW = new Date("2026-03-02T10:05:00Z");
const VERIFIED_AT = new Date("2026-03-02T10:06:00Z");

/** The static plan of `action` for `subject` (what dry-run records and approvers see). */
export function staticPlan(action: RemediationActionId, subject: WorkingIncident, cfg: RiposteConfig = config()) {
  return planAction(action, subject, cfg, NOW);
}

/** Run `action` live on `subject`, then verify it with a store that holds the incident. */
export async function remediateAndVerify(
  action: RemediationActionId,
  subject: WorkingIncident,
  cfg: RiposteConfig = config(),
  options: RunOptions = {},
) {
  const { applied } = await runPlanned(subject, cfg, { now: NOW, ...options, action });
  const deps = taskDeps(cfg, { now: () => VERIFIED_AT });
  await deps.store.createIncident({ ...subject, evidence: [] });
  const gateway = createAwsGateway({
    aws: { maxAttempts: 1 },
    region: subject.region,
    logger: silentLogger,
    clientConfig: { credentials: { accessKeyId: "test", secretAccessKey: "test" } },
    sleep: noSleep,
  });
  const verification = await verifyRemediation({ incident: subject, actions: [applied] }, deps, {
    gateway,
    sleep: noSleep,
  });
  return { applied, verification };
}

/** An SDK error as AWS answers it: its name is the error code. */
export const awsError = (name: string, message = name) => Object.assign(new Error(message), { name });
