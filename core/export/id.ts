import { createHash } from "node:crypto";
import type { Finding } from "../model/incident.js";

/**
 * The id of an exported finding (ASFF `Id`, OCSF `finding_info.uid`): the detection plus a hash
 * of the event ids, the account, the region and the event time. The same logs give the same id,
 * so importing them again updates instead of duplicating. The account, region and time are in
 * the hash because the ids of log lines that carry none (ALB, WAF, flow logs) are their file
 * name and line: two different `access.log` files must not overwrite each other's findings.
 */
export function exportIdFor(finding: Pick<Finding, "detection" | "eventIds" | "account" | "region" | "time">): string {
  const digest = createHash("sha256")
    .update(
      JSON.stringify([finding.detection, [...finding.eventIds].sort(), finding.account, finding.region, finding.time]),
    )
    .digest("hex");
  return `${finding.detection}-${digest.slice(0, 32)}`;
}
