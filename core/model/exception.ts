import { z } from "zod";
import { DETECTION_IDS, type DetectionId } from "./catalog.js";
import { RuleIdSchema } from "./rule-id.js";

/**
 * Time-boxed exceptions: "this detection, for this principal (resource, source range, tag), is
 * expected until then". While one holds, a matching finding is recorded SUPPRESSED, naming the
 * exception: never dropped, never notified, never remediated. Every exception has an owner, a
 * reason and an expiry no further out than `exceptions.maxDays`.
 *
 * Every text here may come from an attacker (a principal or resource name copied from CloudTrail
 * into a Slack button's exception), so each is bounded; renderers escape them like finding text.
 */

export const EXCEPTION_SOURCES = ["slack", "dashboard", "config"] as const;
export type ExceptionSource = (typeof EXCEPTION_SOURCES)[number];

export const EXCEPTION_ID_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export const isoInstant = z
  .string()
  .regex(ISO_INSTANT, "expected an ISO 8601 time such as 2026-01-31T12:00:00Z")
  .refine((text) => Number.isFinite(Date.parse(text)), "expected a valid time");

const scopeText = z.string().trim().min(1, "must not be empty").max(2048, "at most 2048 characters");
// The shape only: the domain (`core/exceptions/`) parses the range itself before it is used.
const cidrText = z
  .string()
  .max(64)
  .regex(/^[0-9A-Fa-f:.]+\/\d{1,3}$/, "expected a CIDR such as 203.0.113.0/24");

/** Exactly one scope: the principal, the resource, the source range or a tag the finding carries. */
export const ExceptionScopeSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("principal"), value: scopeText }),
  z.strictObject({ kind: z.literal("resource"), value: scopeText }),
  z.strictObject({ kind: z.literal("cidr"), value: cidrText }),
  z.strictObject({
    kind: z.literal("tag"),
    key: z.string().min(1).max(128, "at most 128 characters"),
    value: z.string().max(256, "at most 256 characters"),
  }),
]);
export type ExceptionScope = z.infer<typeof ExceptionScopeSchema>;

// Not incident.ts's schema: incident.ts imports this file (an incident names its exception).
const ExceptionDetectionSchema = z.union([z.enum(DETECTION_IDS as [DetectionId, ...DetectionId[]]), RuleIdSchema]);

export const ExceptionSchema = z.strictObject({
  id: z.string().regex(EXCEPTION_ID_PATTERN, "expected 1-80 characters of [A-Za-z0-9_-]"),
  /** A built-in detection id or a user's rule id. */
  detection: ExceptionDetectionSchema,
  scope: ExceptionScopeSchema,
  /** Who answers for it (a person or a team). */
  owner: z.string().trim().min(1, "must not be empty").max(200, "at most 200 characters"),
  reason: z.string().trim().min(1, "must not be empty").max(1000, "at most 1000 characters"),
  createdAt: isoInstant,
  /** The exception holds for findings before this time, never after. */
  expiresAt: isoInstant,
  /** The approver who created it (`slack:U…`, `dashboard:<token name>`, `config`). */
  createdBy: z.string().min(1).max(200),
  source: z.enum(EXCEPTION_SOURCES),
  /** The incident it was created from (the Slack buttons). */
  incidentId: z.string().max(200).optional(),
  /** When its expiry was announced (set once, by the periodic job). */
  expiryAnnouncedAt: isoInstant.optional(),
});
export type ExceptionRecord = z.infer<typeof ExceptionSchema>;

/** What an incident carries once an exception suppressed it. */
export const SuppressionSchema = z.object({
  exceptionId: z.string(),
  owner: z.string(),
  reason: z.string(),
  expiresAt: z.string(),
  scope: ExceptionScopeSchema,
});
export type Suppression = z.infer<typeof SuppressionSchema>;

/** The scope in words, for messages and listings (callers escape it for their medium). */
export function describeScope(scope: ExceptionScope): string {
  return scope.kind === "tag" ? `tag ${scope.key}=${scope.value}` : `${scope.kind} ${scope.value}`;
}

/** Whether the exception holds at `at` (an ISO time): until its expiry, exclusive. */
export function exceptionHoldsAt(exception: Pick<ExceptionRecord, "expiresAt">, at: string): boolean {
  const time = Date.parse(at);
  return Number.isFinite(time) && time < Date.parse(exception.expiresAt);
}
