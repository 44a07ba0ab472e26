import type { Category, DetectionId } from "../../../core/model/catalog.js";
import type { IncidentStatus } from "../../../core/model/status.js";
import { guardDutyEnvelope, guardDutyFinding } from "../../fixtures/events/cloudtrail.js";
import { SCENARIOS } from "../../fixtures/events/scenarios.js";

/**
 * One realistic scenario per category from the detection fixtures, with the status its workflow
 * ends in under the default configuration (remediation dry-run). The high-severity GuardDuty Tor finding waits
 * for approval (deactivating an access key is destructive).
 */
export interface ServeScenario {
  detection: DetectionId;
  category: Category;
  records: unknown[];
  /** The status the workflow ends in without anyone deciding. */
  final: IncidentStatus;
  awaitsApproval?: boolean;
}

function scenario(detection: DetectionId, name: string): unknown[] {
  const found = SCENARIOS.find((s) => s.detection === detection && s.name === name);
  if (!found) throw new Error(`no fixture scenario "${name}" for ${detection}`);
  return found.records;
}

export const CATEGORY_SCENARIOS: ServeScenario[] = [
  {
    detection: "root-account-usage",
    category: "identity",
    records: scenario("root-account-usage", "root console sign-in"),
    final: "NOTIFIED",
  },
  {
    detection: "cloudtrail-tampering",
    category: "logging",
    records: scenario("cloudtrail-tampering", "StopLogging"),
    final: "MITIGATED",
  },
  {
    detection: "sg-ssh-open-world",
    category: "network",
    records: scenario("sg-ssh-open-world", "tcp/22 from 0.0.0.0/0"),
    final: "MITIGATED",
  },
  {
    detection: "s3-bucket-policy-public",
    category: "storage",
    records: scenario("s3-bucket-policy-public", "Principal * GetObject"),
    final: "MITIGATED",
  },
  {
    detection: "guardduty-finding",
    category: "threat",
    records: scenario("guardduty-finding", "raw exported finding"),
    final: "NOTIFIED",
  },
  {
    detection: "guardduty-finding",
    category: "threat",
    // High severity, so it scores above the remediation threshold on its own (a medium one only
    // does after an earlier finding on the same key).
    records: [guardDutyEnvelope(guardDutyFinding("UnauthorizedAccess:IAMUser/TorIPCaller", 8))],
    final: "AWAITING_APPROVAL",
    awaitsApproval: true,
  },
];
