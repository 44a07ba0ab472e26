import type { Severity } from "../../model/catalog.js";
import type { ThreatFacts } from "../../model/facts.js";
import { eventIdOf, eventTimeOf } from "../draft.js";
import { at, isObject, items, type Json, list, quote, str } from "../record.js";
import type { StatelessDetection } from "../types.js";

/** GuardDuty's 0.1–10 severity → Riposte's scale (GuardDuty: low < 4 ≤ medium < 7 ≤ high < 9 ≤ critical). */
export function severityOfGuardDuty(value: unknown): Severity {
  const score = typeof value === "number" ? value : Number.parseFloat(str(value));
  if (!Number.isFinite(score)) return "medium";
  if (score >= 9) return "critical";
  if (score >= 7) return "high";
  if (score >= 4) return "medium";
  return "low";
}

/** The first remote IPv4 address an action names (API call, network connection, port probe…). */
function remoteIp(action: unknown): string {
  if (!isObject(action)) return "";
  for (const value of Object.values(action)) {
    const direct = str(at(value, "remoteIpDetails", "ipAddressV4"));
    if (direct) return direct;
    for (const detail of list(at(value, "portProbeDetails"))) {
      const probe = str(at(detail, "remoteIpDetails", "ipAddressV4"));
      if (probe) return probe;
    }
  }
  return "";
}

export const guardDutyFinding: StatelessDetection = {
  id: "guardduty-finding",
  title: "GuardDuty finding",
  category: "threat",
  severity: "medium",
  attack: { id: "T1078", name: "Valid Accounts" },
  stateful: false,
  description:
    "Amazon GuardDuty reported a finding (live, not archived, not a generated sample). Severity follows GuardDuty's: below 4 low, below 7 medium, below 9 high, 9 and above (attack sequences) critical.",
  why: "GuardDuty sees what CloudTrail rules cannot — DNS, VPC flow and runtime signals, threat intelligence — and its findings deserve the same workflow as Riposte's own.",
  tuning:
    "Suppress finding types you accept with GuardDuty suppression rules (archived findings are ignored). The action depends on the finding type: credentials named in the finding, S3 policy findings, CloudTrail logging disabled, unprotected port probes; other types are notify only.",
  response: { mode: "auto" },
  loopPrevention: "guardduty",
  buildPattern: () => ({
    source: ["aws.guardduty"],
    "detail-type": ["GuardDuty Finding"],
    detail: {
      service: {
        archived: [{ exists: false }, false],
        additionalInfo: { sample: [{ exists: false }, false, "false"] },
      },
    },
  }),
  evaluate(envelope) {
    const finding = envelope.detail as Json;
    const type = str(finding.type);
    if (!type) return undefined;
    const resource = isObject(finding.resource) ? finding.resource : {};
    const instanceId = str(at(resource, "instanceDetails", "instanceId"));
    const accessKeyId = str(at(resource, "accessKeyDetails", "accessKeyId"));
    const userName = str(at(resource, "accessKeyDetails", "userName"));
    const bucket = str(at(list(resource.s3BucketDetails)[0], "name"));
    const groupIds = [
      ...new Set(
        list(at(resource, "instanceDetails", "networkInterfaces")).flatMap((eni) =>
          items(at(eni, "securityGroups"))
            .map((group) => str(at(group, "groupId")))
            .filter(Boolean),
        ),
      ),
    ];
    const ip = remoteIp(at(finding, "service", "action"));
    const facts: ThreatFacts = {
      findingId: str(finding.id),
      findingType: type,
      guardDutySeverity:
        typeof finding.severity === "number" ? finding.severity : Number.parseFloat(str(finding.severity)),
    };
    if (str(resource.resourceType)) facts.resourceType = str(resource.resourceType);
    if (instanceId) facts.instanceId = instanceId;
    if (accessKeyId) facts.accessKeyId = accessKeyId;
    if (userName) facts.userName = userName;
    if (bucket) facts.bucket = bucket;
    if (ip) facts.remoteIp = ip;
    if (groupIds.length) facts.groupIds = groupIds;
    const title = str(finding.title);
    return {
      severity: severityOfGuardDuty(finding.severity),
      time: eventTimeOf(envelope),
      eventIds: [eventIdOf(envelope)],
      account: str(finding.accountId) || envelope.account,
      region: str(finding.region) || envelope.region,
      principal: userName ? `${str(at(resource, "accessKeyDetails", "userType")) || "user"}/${userName}` : "",
      resource: instanceId || accessKeyId || bucket || str(resource.resourceType),
      summary: `GuardDuty ${quote(type, 100)}${title ? `: ${quote(title, 160)}` : ""}`,
      ...(ip ? { sourceIp: ip } : {}),
      facts,
      evidence: [finding],
    };
  },
};
