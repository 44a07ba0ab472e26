import type { EventEnvelope, SecurityEvent } from "../model/event.js";

/**
 * The few record fields that the stateful detections' `skip` checks read, so a reader thread can
 * send them instead of the whole record: the engine decides from this view whether the event
 * needs the record at all (most do not). A `skip` must read nothing else of the event than
 * `epochMs` and these fields (a test holds every `skip` to it).
 */

export const VIEW_FIELDS = ["eventName", "awsRegion", "sourceIPAddress", "recipientAccountId"] as const;
export const VIEW_IDENTITY_FIELDS = [
  "type",
  "arn",
  "accountId",
  "userName",
  "accessKeyId",
  "invokedBy",
  "principalId",
] as const;

/** Values per view: the fields, whether `userIdentity` is an object, it or its fields. */
export const VIEW_WIDTH = VIEW_FIELDS.length + 2 + VIEW_IDENTITY_FIELDS.length;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Append the view of a record (`envelope.detail`) to `out`: `VIEW_WIDTH` values. */
export function writeView(detail: Record<string, unknown>, out: unknown[]): void {
  for (const field of VIEW_FIELDS) out.push(detail[field]);
  const identity = detail.userIdentity;
  if (isObject(identity)) {
    out.push(true, undefined);
    for (const field of VIEW_IDENTITY_FIELDS) out.push(identity[field]);
  } else {
    out.push(false, identity);
    for (let i = 0; i < VIEW_IDENTITY_FIELDS.length; i++) out.push(undefined);
  }
}

/**
 * An event carrying only the view (read from `values` at `offset`) as its record: enough for
 * `skip`, nothing else. Absent fields stay absent.
 */
export function viewEvent(values: readonly unknown[], offset: number, epochMs: number): SecurityEvent {
  const detail: Record<string, unknown> = {};
  let at = offset;
  for (const field of VIEW_FIELDS) {
    const value = values[at++];
    if (value !== undefined) detail[field] = value;
  }
  const isIdentityObject = values[at++] === true;
  const identityValue = values[at++];
  if (isIdentityObject) {
    const identity: Record<string, unknown> = {};
    for (const field of VIEW_IDENTITY_FIELDS) {
      const value = values[at++];
      if (value !== undefined) identity[field] = value;
    }
    detail.userIdentity = identity;
  } else if (identityValue !== undefined) {
    detail.userIdentity = identityValue;
  }
  return { kind: "cloudtrail", id: "", time: "", epochMs, envelope: { detail } as EventEnvelope, raw: undefined };
}
