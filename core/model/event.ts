import { z } from "zod";

/**
 * The one event model every input is normalized to. Detections match EventBridge patterns
 * against `envelope` — the same shape EventBridge delivers on AWS — and `raw` keeps the record
 * exactly as it arrived, for evidence.
 */

export const EVENT_KINDS = ["cloudtrail", "guardduty", "securityhub", "config", "vpcflow", "waf", "alb"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** An EventBridge event envelope (the shape event patterns are written against). */
export const EventEnvelopeSchema = z.object({
  version: z.string(),
  id: z.string(),
  "detail-type": z.string(),
  source: z.string(),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z.array(z.string()),
  detail: z.record(z.string(), z.unknown()),
});
export type EventEnvelope = z.infer<typeof EventEnvelopeSchema>;

/** Where an event was read from: a file and the record's position in it (line or index). */
export const EventOriginSchema = z.object({
  file: z.string(),
  position: z.number().int().nonnegative(),
});
export type EventOrigin = z.infer<typeof EventOriginSchema>;

export const SecurityEventSchema = z.object({
  kind: z.enum(EVENT_KINDS),
  /** CloudTrail `eventID`, GuardDuty finding `id`, or a stable id from file and position. */
  id: z.string().min(1),
  /** Event time, ISO 8601 UTC. */
  time: z.string(),
  /** Event time in epoch milliseconds (for ordering and windows). */
  epochMs: z.number(),
  envelope: EventEnvelopeSchema,
  origin: EventOriginSchema.optional(),
  raw: z.unknown(),
});
export type SecurityEvent = z.infer<typeof SecurityEventSchema>;
