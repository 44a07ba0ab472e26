import { declareDetection, request, response } from "../declare.js";
import { accountOf, identityFacts, isObject, type Json, list, principalOf, quote, str } from "../record.js";

/**
 * The flow log ids of a DeleteFlowLogs request. CloudTrail logs EC2's query parameters under
 * `DeleteFlowLogsRequest.FlowLogId`: one `{content, tag}` object for one id, a list of them for
 * several (plain strings are read too).
 */
export function requestedFlowLogIds(record: Json): string[] {
  const ids = list(request(record, "DeleteFlowLogsRequest", "FlowLogId")).map((entry) =>
    typeof entry === "string" ? entry : isObject(entry) ? str(entry.content) : "",
  );
  return [...new Set(ids.filter(Boolean))];
}

/** The ids EC2 reported it could not delete (`unsuccessful` items carry a `resourceId`). */
function unsuccessfulIds(value: unknown, depth = 0, into = new Set<string>()): Set<string> {
  if (depth > 6) return into;
  if (Array.isArray(value)) {
    for (const item of value) unsuccessfulIds(item, depth + 1, into);
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key === "resourceId" && typeof item === "string") into.add(item);
      else unsuccessfulIds(item, depth + 1, into);
    }
  }
  return into;
}

export const flowLogsDeleted = declareDetection({
  id: "flow-logs-deleted",
  title: "VPC flow logs deleted",
  category: "logging",
  severity: "high",
  attack: { id: "T1562.008", name: "Impair Defenses: Disable or Modify Cloud Logs" },
  asff: ["TTPs/Defense Evasion"],
  description:
    "VPC flow logs were deleted (ec2:DeleteFlowLogs): the network traffic of the VPCs, subnets or interfaces they covered is no longer recorded. Ids EC2 reports it could not delete do not count; a call that deleted none does not fire.",
  why: "Flow logs are the record of who talked to what on the network — what GuardDuty and Riposte's `sg-open-then-connection` read, and what an investigation relies on to see data leaving. Deleting them hides the traffic that follows.",
  tuning:
    "Flow logs are replaced now and then (a new destination or format): acknowledge a planned change, or make it from a role named with `protection.toolRolePrefix`. The finding lists the deleted flow logs (`flowLogIds`); they cannot be restored, only created again.",
  response: { mode: "notify" },
  calls: [{ source: "aws.ec2", names: ["DeleteFlowLogs"] }],
  match: (record) => {
    const requested = requestedFlowLogIds(record);
    const failed = unsuccessfulIds(response(record, "DeleteFlowLogsResponse", "unsuccessful"));
    const flowLogIds = requested.filter((id) => !failed.has(id));
    if (requested.length > 0 && flowLogIds.length === 0) return undefined;
    const resource =
      flowLogIds.length === 1
        ? `arn:aws:ec2:${str(record.awsRegion)}:${accountOf(record)}:vpc-flow-log/${flowLogIds[0]}`
        : flowLogIds.join(", ") || "flow logs";
    const what =
      flowLogIds.length === 0
        ? "VPC flow logs"
        : flowLogIds.length === 1
          ? `VPC flow log ${quote(flowLogIds[0]!, 40)}`
          : `${flowLogIds.length} VPC flow logs (${quote(flowLogIds.join(", "), 120)})`;
    return {
      resource,
      summary: `${quote(principalOf(record))} deleted ${what}`,
      facts: { eventName: str(record.eventName), ...identityFacts(record), flowLogIds },
    };
  },
});
