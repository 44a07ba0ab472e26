import { type SweepResult, sweepExpiredChanges } from "../../core/remediation/sweep.js";
import type { TaskDeps } from "../../core/task-deps.js";
import { awsTaskDeps } from "../lib/aws-deps.js";

/**
 * Scheduled: delete the temporary deny policies whose time has passed (they stopped applying at
 * their `aws:CurrentTime` end already; this removes the inert policy and audits it).
 */
export function createSweepHandler(resolveDeps: () => Promise<TaskDeps>) {
  return async (): Promise<SweepResult> => {
    const deps = await resolveDeps();
    const result = await sweepExpiredChanges(deps);
    if (result.failed.length > 0) deps.logger.warn("some expired changes remain", { failed: result.failed });
    return result;
  };
}

export const handler = createSweepHandler(awsTaskDeps);
