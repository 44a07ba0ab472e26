import type { EventEnvelope, SecurityEvent } from "../model/event.js";
import { stableId } from "./ids.js";
import { isoTime, parseEventTime } from "./time.js";
import type { Normalized, RecordContext } from "./types.js";

/**
 * CloudTrail records → events, with the envelope EventBridge delivers them in: `source` is
 * `aws.<service>` from `eventSource`, `detail-type` follows `eventType`, `detail` is the record.
 */

const DETAIL_TYPES: Record<string, string> = {
  AwsApiCall: "AWS API Call via CloudTrail",
  AwsConsoleSignIn: "AWS Console Sign In via CloudTrail",
  AwsConsoleAction: "AWS Console Action via CloudTrail",
  AwsServiceEvent: "AWS Service Event via CloudTrail",
  AwsCloudTrailInsight: "AWS Insight via CloudTrail",
};

/** The EventBridge `detail-type` values CloudTrail events arrive with (both spellings of sign-in). */
export const CLOUDTRAIL_DETAIL_TYPES: readonly string[] = [
  ...Object.values(DETAIL_TYPES),
  "AWS Console Signin via CloudTrail",
];

/** Whether a value looks like a CloudTrail record (the fields every record carries). */
export function isCloudTrailRecord(value: Record<string, unknown>): boolean {
  return (
    typeof value.eventSource === "string" &&
    typeof value.eventName === "string" &&
    ("eventTime" in value || "eventVersion" in value || "userIdentity" in value)
  );
}

/** `signin.amazonaws.com` → `aws.signin`. */
export function sourceForEventSource(eventSource: string): string {
  const dot = eventSource.indexOf(".");
  return `aws.${dot > 0 ? eventSource.slice(0, dot) : eventSource}`;
}

export function detailTypeFor(record: Record<string, unknown>): string {
  const type = typeof record.eventType === "string" ? DETAIL_TYPES[record.eventType] : undefined;
  if (type) return type;
  return record.eventSource === "signin.amazonaws.com" ? DETAIL_TYPES.AwsConsoleSignIn! : DETAIL_TYPES.AwsApiCall!;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** Normalize one CloudTrail record; `eventTime` must parse. */
export function fromCloudTrailRecord(record: Record<string, unknown>, context: RecordContext): Normalized {
  const epochMs = parseEventTime(record.eventTime);
  if (epochMs === undefined) return { error: "CloudTrail record has no valid eventTime" };
  const eventSource = text(record.eventSource);
  const identity = (
    typeof record.userIdentity === "object" && record.userIdentity !== null ? record.userIdentity : {}
  ) as Record<string, unknown>;
  const id =
    text(record.eventID) ||
    stableId("cloudtrail", context.positional ? context.origin : undefined, JSON.stringify(record));
  // Canonical CloudTrail times are already ISO 8601 UTC: reuse them rather than reformat.
  const raw = record.eventTime;
  const time =
    typeof raw === "string" && raw.length === 20 && raw[10] === "T" && raw[19] === "Z" ? raw : isoTime(epochMs);
  const envelope: EventEnvelope = {
    version: "0",
    id,
    "detail-type": detailTypeFor(record),
    source: sourceForEventSource(eventSource),
    account: text(record.recipientAccountId) || text(identity.accountId),
    time,
    region: text(record.awsRegion),
    resources: [],
    detail: record,
  };
  const event: SecurityEvent = { kind: "cloudtrail", id, time, epochMs, envelope, raw: record };
  if (context.origin) event.origin = context.origin;
  return { event };
}
