import { getDetection } from "../detections/catalog.js";
import { type DetectionId, isDetectionId } from "../model/catalog.js";
import type { Finding } from "../model/incident.js";

/**
 * ASFF finding types (`namespace/category/classifier`, AWS Security Hub's "Types taxonomy for
 * ASFF") of each detection. TTP categories follow the detection's ATT&CK technique; exposures
 * are configuration checks with their effect. Typed by detection id, so a new detection does
 * not compile without its types.
 */

const REACHABILITY = "Software and Configuration Checks/AWS Security Best Practices/Network Reachability";
const BEST_PRACTICES = "Software and Configuration Checks/AWS Security Best Practices";
const FIREWALL_CHANGE = [REACHABILITY, "TTPs/Defense Evasion"];
const PUBLIC_DATA = [BEST_PRACTICES, "Effects/Data Exposure"];

/** The first 34 detections' types; declared detections carry theirs (`asff`) in their declaration. */
const FIRST_TYPES: Readonly<Partial<Record<DetectionId, readonly string[]>>> = {
  "root-account-usage": ["TTPs/Privilege Escalation", "Unusual Behaviors/User"],
  "console-login-failure": ["TTPs/Credential Access"],
  "mfa-deactivated": ["TTPs/Defense Evasion", "TTPs/Persistence"],
  "credential-change": ["TTPs/Persistence"],
  "access-key-created": ["TTPs/Persistence"],
  "access-key-anomalous-use": ["TTPs/Defense Evasion", "Unusual Behaviors/User"],
  "impossible-travel": ["TTPs/Initial Access", "Unusual Behaviors/User"],
  "unusual-region": ["TTPs/Defense Evasion", "Unusual Behaviors/User"],
  "cloudtrail-tampering": ["TTPs/Defense Evasion/CloudTrailStopped"],
  "web-scanning": ["TTPs/Discovery", "Unusual Behaviors/Application"],
  "sg-ssh-open-world": FIREWALL_CHANGE,
  "sg-rule-modified-open": FIREWALL_CHANGE,
  "sg-created-open": FIREWALL_CHANGE,
  "sg-high-risk-port-open": FIREWALL_CHANGE,
  "sg-temporary-rule": FIREWALL_CHANGE,
  "sg-prod-tag-violation": [REACHABILITY, "Software and Configuration Checks/Industry and Regulatory Standards"],
  "sg-ssh-restricted-cidr": [REACHABILITY],
  "sg-zombie-rule": [REACHABILITY],
  "sg-open-then-connection": ["TTPs/Initial Access", REACHABILITY],
  "ec2-launched-with-open-sg": [REACHABILITY],
  "sg-repeated-open": FIREWALL_CHANGE,
  "config-sg-open-to-world": [REACHABILITY],
  "sg-risk-resolved": [REACHABILITY],
  "s3-object-acl-public": PUBLIC_DATA,
  "s3-bucket-policy-public": PUBLIC_DATA,
  "s3-public-access-block-disabled": [...PUBLIC_DATA, "TTPs/Defense Evasion"],
  "s3-website-enabled": PUBLIC_DATA,
  "s3-cors-permissive": PUBLIC_DATA,
  "s3-bucket-policy-deleted": [BEST_PRACTICES, "TTPs/Defense Evasion"],
  "s3-bucket-acl-public": PUBLIC_DATA,
  // Refined by the GuardDuty finding type (guardDutyTypes).
  "guardduty-finding": ["TTPs"],
  // A failed Security Hub control: a configuration check.
  "securityhub-finding": [BEST_PRACTICES],
};

/** GuardDuty threat purposes (the finding type's prefix) → ASFF types, as GuardDuty maps its own. */
const GUARDDUTY_PURPOSES: Readonly<Record<string, string>> = {
  Backdoor: "TTPs/Command and Control",
  Behavior: "Unusual Behaviors",
  CredentialAccess: "TTPs/Credential Access",
  CryptoCurrency: "Effects/Resource Consumption",
  DefenseEvasion: "TTPs/Defense Evasion",
  Discovery: "TTPs/Discovery",
  Execution: "TTPs/Execution",
  Exfiltration: "Effects/Data Exfiltration",
  Impact: "Effects",
  InitialAccess: "TTPs/Initial Access",
  PenTest: "TTPs/Discovery",
  Persistence: "TTPs/Persistence",
  Policy: BEST_PRACTICES,
  PrivilegeEscalation: "TTPs/Privilege Escalation",
  Recon: "TTPs/Discovery",
  Stealth: "TTPs/Defense Evasion",
  Trojan: "TTPs/Command and Control",
  UnauthorizedAccess: "TTPs/Initial Access",
};

/** The ASFF types of a GuardDuty finding type (`Recon:EC2/PortProbeUnprotectedPort`). */
export function guardDutyTypes(findingType: unknown): readonly string[] {
  const purpose = typeof findingType === "string" ? findingType.split(":")[0]! : "";
  const mapped = Object.hasOwn(GUARDDUTY_PURPOSES, purpose) ? GUARDDUTY_PURPOSES[purpose] : undefined;
  return mapped ? [mapped] : asffTypesOf("guardduty-finding");
}

/** The ASFF types of a detection: from its declaration, or from the table above. */
export function asffTypesOf(id: DetectionId): readonly string[] {
  const declared = (getDetection(id) as { asff?: readonly string[] }).asff;
  const types = declared ?? FIRST_TYPES[id];
  if (!types) throw new Error(`detection ${id} has no ASFF types`);
  return types;
}

/** The ASFF types of a finding's detection or rule (GuardDuty findings map their own type separately). */
export function findingTypesOf(finding: Pick<Finding, "detection" | "rule">): readonly string[] {
  if (isDetectionId(finding.detection)) return asffTypesOf(finding.detection);
  return finding.rule?.asff ?? ["TTPs"];
}

/** The ATT&CK technique of a finding's detection or rule. */
export function attackOf(finding: Pick<Finding, "detection" | "rule">): { id: string; name: string } | undefined {
  if (isDetectionId(finding.detection)) return getDetection(finding.detection).attack;
  return finding.rule?.attack;
}
