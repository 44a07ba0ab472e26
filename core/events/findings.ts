import type { EventEnvelope, SecurityEvent } from "../model/event.js";
import { isoTime, parseEventTime } from "./time.js";
import type { Normalized, RecordContext } from "./types.js";

/**
 * GuardDuty findings and AWS Config compliance changes, as exported (a raw finding, an SNS
 * notification) → the envelopes EventBridge delivers them in: `aws.guardduty` / "GuardDuty
 * Finding" and `aws.config` / "Config Rules Compliance Change".
 */

export const GUARDDUTY_DETAIL_TYPE = "GuardDuty Finding";
export const CONFIG_DETAIL_TYPE = "Config Rules Compliance Change";
/** Security Hub sends every new or updated finding (ASFF, in `detail.findings`) as this. */
export const SECURITYHUB_DETAIL_TYPE = "Security Hub Findings - Imported";

const text = (value: unknown): string => (typeof value === "string" ? value : "");

/** A raw GuardDuty finding (exported to S3, or from GetFindings). */
export function isGuardDutyFinding(value: Record<string, unknown>): boolean {
  const service = value.service as Record<string, unknown> | undefined;
  return (
    typeof value.type === "string" &&
    typeof value.id === "string" &&
    "severity" in value &&
    (service?.serviceName === "guardduty" || (typeof value.arn === "string" && value.arn.includes(":guardduty:")))
  );
}

export function fromGuardDutyFinding(finding: Record<string, unknown>, context: RecordContext): Normalized {
  const epochMs = parseEventTime(finding.updatedAt) ?? parseEventTime(finding.createdAt);
  if (epochMs === undefined) return { error: "GuardDuty finding has no valid updatedAt or createdAt" };
  const time = isoTime(epochMs);
  const envelope: EventEnvelope = {
    version: "0",
    id: text(finding.id),
    "detail-type": GUARDDUTY_DETAIL_TYPE,
    source: "aws.guardduty",
    account: text(finding.accountId),
    time,
    region: text(finding.region),
    resources: [],
    detail: finding,
  };
  return {
    event: withOrigin({ kind: "guardduty", id: text(finding.id), time, epochMs, envelope, raw: finding }, context),
  };
}

/** The body of an AWS Config compliance-change notification (in SNS or the EventBridge detail). */
export function isConfigComplianceChange(value: Record<string, unknown>): boolean {
  return value.messageType === "ComplianceChangeNotification" && typeof value.configRuleName === "string";
}

export function fromConfigComplianceChange(
  detail: Record<string, unknown>,
  context: RecordContext,
  envelopeId?: string,
): Normalized {
  const evaluation = detail.newEvaluationResult as Record<string, unknown> | undefined;
  const epochMs = parseEventTime(detail.notificationCreationTime) ?? parseEventTime(evaluation?.resultRecordedTime);
  if (epochMs === undefined) return { error: "Config compliance change has no valid notificationCreationTime" };
  const time = isoTime(epochMs);
  // Config notifications have no id of their own: rule, resource and time identify one.
  const id =
    envelopeId ||
    `config:${text(detail.configRuleName)}:${text(detail.resourceType)}:${text(detail.resourceId)}:${time}`;
  const envelope: EventEnvelope = {
    version: "0",
    id,
    "detail-type": CONFIG_DETAIL_TYPE,
    source: "aws.config",
    account: text(detail.awsAccountId),
    time,
    region: text(detail.awsRegion),
    resources: [],
    detail,
  };
  return { event: withOrigin({ kind: "config", id, time, epochMs, envelope, raw: detail }, context) };
}

export function withOrigin(event: SecurityEvent, context: RecordContext): SecurityEvent {
  if (context.origin) event.origin = context.origin;
  return event;
}
