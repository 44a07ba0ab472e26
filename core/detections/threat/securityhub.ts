import { SECURITYHUB_DETAIL_TYPE } from "../../events/findings.js";
import type { Severity } from "../../model/catalog.js";
import { CONTROL_PORTS } from "../../risk/securityhub-controls.js";
import { eventTimeOf } from "../draft.js";
import { at, isObject, type Json, list, quote, str } from "../record.js";
import type { StatelessDetection } from "../types.js";

/**
 * Security Hub control findings (`aws.securityhub` / "Security Hub Findings - Imported"): failed
 * controls of high or critical severity, from Security Hub itself. Riposte's own findings (the
 * account's default product, `riposte/…` product fields) never match, so importing incidents into
 * Security Hub cannot loop back. An EventBridge pattern matches an array when any element does,
 * so `evaluate` checks every condition again on one finding.
 */

/** Findings Security Hub itself generates (its controls) carry this product ARN. */
const SECURITY_HUB_PRODUCT = /^arn:(aws|aws-cn|aws-us-gov):securityhub:[a-z0-9-]+::product\/aws\/securityhub$/;
const LABELS: Record<string, Severity> = { HIGH: "high", CRITICAL: "critical" };
const OPEN_WORKFLOW = ["NEW", "NOTIFIED"];

function isOwnFinding(finding: Json): boolean {
  const fields = isObject(finding.ProductFields) ? finding.ProductFields : {};
  return Object.keys(fields).some((key) => key.startsWith("riposte/"));
}

/** The finding's security control id: consolidated (`SecurityControlId`) or standard-specific (`ControlId`). */
function controlIdOf(finding: Json): string {
  return (
    str(at(finding, "Compliance", "SecurityControlId")) ||
    str(at(finding, "ProductFields", "ControlId")) ||
    str(at(finding, "ProductFields", "RuleId"))
  );
}

/** One finding that meets every condition of the pattern, or undefined. */
function qualifying(finding: unknown): Json | undefined {
  if (!isObject(finding)) return undefined;
  if (!SECURITY_HUB_PRODUCT.test(str(finding.ProductArn)) || isOwnFinding(finding)) return undefined;
  if (str(at(finding, "Compliance", "Status")) !== "FAILED") return undefined;
  if (!LABELS[str(at(finding, "Severity", "Label"))]) return undefined;
  if (str(finding.RecordState) !== "ACTIVE") return undefined;
  if (!OPEN_WORKFLOW.includes(str(at(finding, "Workflow", "Status")))) return undefined;
  return finding;
}

const SG_ARN = /^arn:(aws|aws-cn|aws-us-gov):ec2:[a-z0-9-]+:\d{12}:security-group\/(sg-[0-9a-z]{1,32})$/;
const S3_ARN = /^arn:(aws|aws-cn|aws-us-gov):s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$/;
const TRAIL_ARN = /^arn:(aws|aws-cn|aws-us-gov):cloudtrail:[a-z0-9-]+:\d{12}:trail\/.+$/;

/** What the finding's first resource names, as the facts the remediation planners read. */
function resourceFacts(resource: unknown, control: string): Record<string, unknown> {
  const type = str(at(resource, "Type"));
  const id = str(at(resource, "Id"));
  const facts: Record<string, unknown> = {};
  if (type) facts.resourceType = type;
  if (id) facts.resourceId = id;
  if (type === "AwsEc2SecurityGroup") {
    const groupId = str(at(resource, "Details", "AwsEc2SecurityGroup", "GroupId")) || (SG_ARN.exec(id)?.[2] ?? "");
    if (groupId) {
      facts.groupId = groupId;
      // The control names no rule: the planner revokes the group's world-open rules on these ports.
      facts.rules = [];
      facts.riskyPorts = [...(CONTROL_PORTS[control] ?? [])];
    }
  }
  if (type === "AwsS3Bucket") {
    const bucket = S3_ARN.exec(id)?.[2];
    if (bucket) facts.bucket = bucket;
  }
  if (type === "AwsCloudTrailTrail" && TRAIL_ARN.test(id)) facts.trailArn = id;
  return facts;
}

export const securityHubFinding: StatelessDetection = {
  id: "securityhub-finding",
  title: "Security Hub failed control",
  category: "threat",
  severity: "high",
  attack: { id: "T1562", name: "Impair Defenses" },
  stateful: false,
  description:
    "AWS Security Hub reported a failed security control of high or critical severity (an active finding of Security Hub's own product, workflow NEW or NOTIFIED). Severity follows Security Hub's label. Riposte's own findings, imported into Security Hub, never match.",
  why: "Security Hub's controls check configuration that no single API call shows (a group open since before Riposte was deployed, a bucket made public by a template); a failed high or critical control deserves the same workflow as Riposte's own findings.",
  tuning:
    "Disable controls you accept in Security Hub, or suppress their findings (suppressed findings are ignored). The action depends on the control: world-open security groups (EC2.13, EC2.14, EC2.19, EC2.53, EC2.54) revoke the world-open rules, S3 public access (S3.1, S3.2, S3.3, S3.8) restores the public access block; other controls are notify only.",
  response: { mode: "auto" },
  loopPrevention: "not-applicable",
  buildPattern: () => ({
    source: ["aws.securityhub"],
    "detail-type": [SECURITYHUB_DETAIL_TYPE],
    detail: {
      findings: {
        // Security Hub's own controls only: Riposte's findings (the default product) never match.
        ProductArn: [{ suffix: "::product/aws/securityhub" }],
        ProductFields: { "riposte/detection": [{ exists: false }] },
        Compliance: { Status: ["FAILED"] },
        Severity: { Label: ["HIGH", "CRITICAL"] },
        RecordState: ["ACTIVE"],
        Workflow: { Status: OPEN_WORKFLOW },
      },
    },
  }),
  evaluate(envelope) {
    const finding = list(at(envelope.detail, "findings")).map(qualifying).find(Boolean);
    if (!finding) return undefined;
    const findingId = str(finding.Id);
    const control = controlIdOf(finding);
    if (!findingId) return undefined;
    const [resource] = list(finding.Resources);
    const facts: Record<string, unknown> = {
      findingId,
      findingType: str(list(finding.Types)[0]) || "Software and Configuration Checks",
      securityHubSeverity: str(at(finding, "Severity", "Label")),
      ...resourceFacts(resource, control),
    };
    if (control) facts.controlId = control;
    const title = str(finding.Title);
    const resourceId = str(facts.groupId) || str(facts.bucket) || str(facts.resourceId);
    return {
      severity: LABELS[str(at(finding, "Severity", "Label"))] ?? "high",
      time: eventTimeOf(envelope),
      eventIds: [findingId],
      account: str(finding.AwsAccountId) || envelope.account,
      region: str(finding.Region) || envelope.region,
      principal: "",
      resource: resourceId,
      summary: `Security Hub control ${control ? quote(control, 40) : "(unnamed)"} failed${title ? `: ${quote(title, 160)}` : ""}${resourceId ? ` on ${quote(resourceId, 200)}` : ""}`,
      facts,
      evidence: [finding],
    };
  },
};
