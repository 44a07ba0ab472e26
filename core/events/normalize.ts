import type { EventKind } from "../model/event.js";
import { CLOUDTRAIL_DETAIL_TYPES, fromCloudTrailRecord, isCloudTrailRecord } from "./cloudtrail.js";
import {
  CONFIG_DETAIL_TYPE,
  fromConfigComplianceChange,
  fromGuardDutyFinding,
  GUARDDUTY_DETAIL_TYPE,
  isConfigComplianceChange,
  isGuardDutyFinding,
  SECURITYHUB_DETAIL_TYPE,
  withOrigin,
} from "./findings.js";
import { FLOW_DETAIL_TYPE, FLOW_SOURCE } from "./flow-logs.js";
import { isoTime, parseEventTime } from "./time.js";
import type { Normalized, RecordContext } from "./types.js";
import { ALB_DETAIL_TYPE, ALB_SOURCE, fromWafRecord, isWafLogRecord, WAF_DETAIL_TYPE, WAF_SOURCE } from "./web-logs.js";

/**
 * One JSON value → the events it holds. Recognised shapes: a CloudTrail log file
 * (`{"Records":[…]}`), a CloudTrail record, an EventBridge envelope (CloudTrail, GuardDuty,
 * Config, or Riposte's own flow/WAF/ALB envelopes), a raw GuardDuty finding, an AWS Config
 * compliance change, an SNS notification wrapping any of these, a WAF log record, or an array of
 * any of them. Anything else is an error naming what was expected.
 */

const CLOUDTRAIL_TYPES = new Set(CLOUDTRAIL_DETAIL_TYPES);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const text = (value: unknown): string => (typeof value === "string" ? value : "");

/** Walk `value`, calling `emit` for each record found (with its index within the value). */
export function normalizeValue(
  value: unknown,
  context: RecordContext,
  emit: (result: Normalized, index: number) => void,
): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      emitOne(item, context, (result) => emit(result, index));
    });
    return;
  }
  if (isObject(value) && Array.isArray(value.Records)) {
    value.Records.forEach((record, index) => {
      emit(isObject(record) ? normalizeObject(record, context) : { error: "a Records entry is not an object" }, index);
    });
    return;
  }
  emitOne(value, context, (result) => emit(result, 0));
}

function emitOne(value: unknown, context: RecordContext, emit: (result: Normalized) => void): void {
  if (isObject(value) && Array.isArray(value.Records)) {
    for (const record of value.Records) {
      emit(isObject(record) ? normalizeObject(record, context) : { error: "a Records entry is not an object" });
    }
    return;
  }
  if (!isObject(value)) {
    emit({
      error: `expected a JSON object, got ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}`,
    });
    return;
  }
  emit(normalizeObject(value, context));
}

/** Normalize one JSON object (not an array, not a `Records` file). */
export function normalizeObject(value: Record<string, unknown>, context: RecordContext): Normalized {
  if (typeof value["detail-type"] === "string" && typeof value.source === "string" && "detail" in value) {
    return fromEnvelope(value, context);
  }
  if (isCloudTrailRecord(value)) return fromCloudTrailRecord(value, context);
  if (isGuardDutyFinding(value)) return fromGuardDutyFinding(value, context);
  if (isConfigComplianceChange(value)) return fromConfigComplianceChange(value, context);
  if (isWafLogRecord(value)) return fromWafRecord(value, context);
  if (value.Type === "Notification" && "Message" in value) return fromSnsNotification(value, context);
  return {
    error:
      "unrecognised record: expected a CloudTrail record, an EventBridge event, a GuardDuty finding, " +
      "an AWS Config compliance change or a WAF log record",
  };
}

function fromSnsNotification(notification: Record<string, unknown>, context: RecordContext): Normalized {
  let message = notification.Message;
  if (typeof message === "string") {
    try {
      message = JSON.parse(message);
    } catch {
      return { error: "SNS notification Message is not JSON" };
    }
  }
  if (!isObject(message)) return { error: "SNS notification Message is not a JSON object" };
  return normalizeObject(message, context);
}

const OWN_KINDS: Record<string, { kind: EventKind; detailType: string }> = {
  [FLOW_SOURCE]: { kind: "vpcflow", detailType: FLOW_DETAIL_TYPE },
  [WAF_SOURCE]: { kind: "waf", detailType: WAF_DETAIL_TYPE },
  [ALB_SOURCE]: { kind: "alb", detailType: ALB_DETAIL_TYPE },
};

/** An EventBridge envelope, as delivered to a target or exported. */
export function fromEnvelope(envelope: Record<string, unknown>, context: RecordContext): Normalized {
  const detailType = text(envelope["detail-type"]);
  const source = text(envelope.source);
  const detail = envelope.detail;
  if (!isObject(detail)) return { error: "EventBridge event detail is not an object" };

  if (CLOUDTRAIL_TYPES.has(detailType)) {
    const normalized = fromCloudTrailRecord(detail, context);
    if ("error" in normalized) return normalized;
    // Keep the envelope as delivered; only fill what EventBridge always sets.
    normalized.event.envelope = completeEnvelope(envelope, detail, normalized.event.time);
    return normalized;
  }
  if (source === "aws.guardduty" && detailType === GUARDDUTY_DETAIL_TYPE) {
    const normalized = fromGuardDutyFinding(detail, context);
    if ("error" in normalized) return normalized;
    normalized.event.envelope = completeEnvelope(envelope, detail, normalized.event.time);
    return normalized;
  }
  if (source === "aws.securityhub" && detailType === SECURITYHUB_DETAIL_TYPE) {
    // Security Hub's events carry the findings (ASFF) and nothing else: the envelope is the event.
    const epochMs = parseEventTime(envelope.time);
    const id = text(envelope.id);
    if (epochMs === undefined || !id) return { error: "Security Hub event needs an id and a valid time" };
    const time = isoTime(epochMs);
    const event = {
      kind: "securityhub" as const,
      id,
      time,
      epochMs,
      envelope: completeEnvelope(envelope, detail, time),
      raw: envelope,
    };
    return { event: withOrigin(event, context) };
  }
  if (source === "aws.config" && detailType === CONFIG_DETAIL_TYPE) {
    const normalized = fromConfigComplianceChange(detail, context, text(envelope.id) || undefined);
    if ("error" in normalized) return normalized;
    normalized.event.envelope = completeEnvelope(envelope, detail, normalized.event.time);
    return normalized;
  }
  const own = OWN_KINDS[source];
  if (own && own.detailType === detailType) {
    const epochMs = parseEventTime(envelope.time);
    const id = text(envelope.id);
    if (epochMs === undefined || !id) return { error: `${source} event needs an id and a valid time` };
    const time = isoTime(epochMs);
    const event = {
      kind: own.kind,
      id,
      time,
      epochMs,
      envelope: completeEnvelope(envelope, detail, time),
      raw: envelope,
    };
    return { event: withOrigin(event, context) };
  }
  return { error: `unsupported EventBridge event (source "${source}", detail-type "${detailType}")` };
}

function completeEnvelope(envelope: Record<string, unknown>, detail: Record<string, unknown>, time: string) {
  return {
    version: text(envelope.version) || "0",
    id: text(envelope.id) || text(detail.eventID) || text(detail.id),
    "detail-type": text(envelope["detail-type"]),
    source: text(envelope.source),
    account: text(envelope.account) || text(detail.recipientAccountId) || text(detail.accountId),
    time: text(envelope.time) || time,
    region: text(envelope.region) || text(detail.awsRegion) || text(detail.region),
    resources: Array.isArray(envelope.resources) ? envelope.resources.filter((r) => typeof r === "string") : [],
    detail,
  };
}
