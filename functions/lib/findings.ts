import { incidentIdFor } from "../../core/incidents/id.js";
import type { Logger } from "../../core/log.js";
import type { Finding } from "../../core/model/incident.js";
import type { WorkflowStarter } from "../../core/store/ports.js";

/**
 * Start a finding's workflow, named after its incident id: a duplicate finding (a redelivered
 * event, a retried batch) starts nothing. Throws when Step Functions could not be reached.
 */
export async function startFinding(
  finding: Finding,
  starter: WorkflowStarter,
  logger: Logger,
): Promise<{ incidentId: string; started: boolean }> {
  const incidentId = incidentIdFor(finding);
  const { started } = await starter.start(finding.category, incidentId, { finding });
  logger.info(started ? "workflow started" : "workflow already exists", { incidentId, detection: finding.detection });
  return { incidentId, started };
}
