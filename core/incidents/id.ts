import { createHash } from "node:crypto";
import type { Finding } from "../model/incident.js";

/**
 * The incident id: the detection plus a hash of the event ids involved. A duplicate delivery of
 * the same events yields the same id, and the id is a valid Step Functions execution name
 * (at most 80 characters of [A-Za-z0-9-_]), so it cannot start a second execution.
 */
export function incidentIdFor(finding: Pick<Finding, "detection" | "eventIds">): string {
  const digest = createHash("sha256")
    .update(finding.detection)
    .update("\n")
    .update([...finding.eventIds].sort().join("\n"))
    .digest("hex");
  return `${finding.detection}-${digest.slice(0, 20)}`;
}
