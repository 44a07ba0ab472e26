import { z } from "zod";
import { REMEDIATION_ACTION_IDS } from "./actions.js";
import { CATEGORIES, DETECTION_IDS, type DetectionId, isDetectionId, SEVERITIES } from "./catalog.js";
import { SuppressionSchema } from "./exception.js";
import { RuleIdSchema } from "./rule-id.js";
import { INCIDENT_STATUSES } from "./status.js";

/**
 * Findings, incidents and everything the workflow adds to them. These schemas are shared by
 * the detection engine, the task handlers, both stores, the API and the dashboard.
 */

const isoTime = z.string().min(1);
export const DetectionIdSchema = z.enum(DETECTION_IDS as [DetectionId, ...DetectionId[]]);
/** What a finding names: a built-in detection, or a user's rule (its category says which workflow). */
export const FindingDetectionSchema = z.union([DetectionIdSchema, RuleIdSchema]);
export type FindingDetection = z.infer<typeof FindingDetectionSchema>;

/**
 * What a user's rule declares that the workflow, the exports and the dashboard need, carried on
 * each finding of the rule (built-in detections keep theirs in the catalog): its default response,
 * its ATT&CK technique and its ASFF types.
 */
export const RuleFindingSchema = z.object({
  response: z.object({
    mode: z.enum(["auto", "approval", "notify"]),
    action: z.enum(REMEDIATION_ACTION_IDS).optional(),
  }),
  attack: z.object({ id: z.string(), name: z.string() }).optional(),
  asff: z.array(z.string()).min(1),
});
export type RuleFinding = z.infer<typeof RuleFindingSchema>;

/** The fields of a finding (an incident extends them); `FindingSchema` adds the rule check. */
const FindingFields = z.object({
  detection: FindingDetectionSchema,
  category: z.enum(CATEGORIES),
  severity: z.enum(SEVERITIES),
  title: z.string(),
  /** Event time of the (last) event that completed the finding. */
  time: isoTime,
  eventIds: z.array(z.string()).min(1),
  account: z.string(),
  region: z.string(),
  /** ARN or name of the acting principal ("" when unknown). */
  principal: z.string(),
  /** The affected resource: a group id, a bucket name, a trail, a user, an IP… ("" when none). */
  resource: z.string(),
  summary: z.string(),
  sourceIp: z.string().optional(),
  userAgent: z.string().optional(),
  /** Detection-specific facts remediation needs (group id and offending rules, bucket, key id…). */
  facts: z.record(z.string(), z.unknown()).default({}),
  /** The raw records involved, exactly as read. */
  evidence: z.array(z.unknown()).default([]),
  /**
   * An event posted to `POST /api/events` took part (anyone with the intake token can post made-up
   * CloudTrail): remediation waits for approval unless `remediation.autoRemediateIntake`.
   */
  fromIntake: z.boolean().optional(),
  /** For a finding of a user's rule (`detection` is then a rule id): what the rule declares. */
  rule: RuleFindingSchema.optional(),
  /** For `sg-risk-resolved`: the earlier risk this finding removes. */
  resolves: z
    .object({
      resource: z.string(),
      detections: z.array(z.string()),
      facts: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
});
/** A finding naming a user's rule carries what the rule declares; a name that is neither is refused. */
export function ruleDeclared(value: { detection: string; rule?: unknown }, ctx: z.RefinementCtx): void {
  if (value.rule === undefined && !isDetectionId(value.detection)) {
    ctx.addIssue({
      code: "custom",
      path: ["detection"],
      message: `unknown detection id "${value.detection}" (a user's rule's finding carries its rule)`,
    });
  }
}

/** What a detection reports: one occurrence of one threat scenario. */
export const FindingSchema = FindingFields.superRefine(ruleDeclared);
export type Finding = z.infer<typeof FindingSchema>;

export const GeoInfoSchema = z.object({
  country: z.string().optional(),
  countryName: z.string().optional(),
  city: z.string().optional(),
  latitude: z.number().optional(),
  longitude: z.number().optional(),
  asn: z.number().int().optional(),
  asOrg: z.string().optional(),
});
export type GeoInfo = z.infer<typeof GeoInfoSchema>;

export const PRINCIPAL_TYPES = ["root", "iam-user", "assumed-role", "federated", "aws-service", "unknown"] as const;
export const ADDRESS_KINDS = ["public", "private", "aws", "service", "invalid"] as const;

export const EnrichmentSchema = z.object({
  source: z
    .object({
      ip: z.string(),
      kind: z.enum(ADDRESS_KINDS),
      trusted: z.boolean(),
      geo: GeoInfoSchema.optional(),
    })
    .optional(),
  principal: z
    .object({
      type: z.enum(PRINCIPAL_TYPES),
      arn: z.string().optional(),
      account: z.string().optional(),
      name: z.string().optional(),
      mfa: z.boolean().optional(),
      firstSeen: z.string().optional(),
      knownIps: z.array(z.string()).optional(),
      knownDevices: z.number().int().optional(),
      newIp: z.boolean().optional(),
      newDevice: z.boolean().optional(),
      newAsn: z.boolean().optional(),
      priorIncidents: z.number().int().optional(),
    })
    .optional(),
  resource: z
    .object({
      type: z.string(),
      id: z.string(),
      tags: z.record(z.string(), z.string()),
      production: z.boolean(),
      protected: z.boolean(),
      related: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  /** Enrichment steps that failed; enrichment degrades, it never fails the incident. */
  errors: z.array(z.string()).default([]),
});
export type Enrichment = z.infer<typeof EnrichmentSchema>;

export const PRIORITIES = ["P1", "P2", "P3", "P4"] as const;
export type Priority = (typeof PRIORITIES)[number];

export const ScoreFactorSchema = z.object({
  id: z.string(),
  label: z.string(),
  points: z.number(),
});
export type ScoreFactor = z.infer<typeof ScoreFactorSchema>;

export const ScoreSchema = z.object({
  value: z.number().min(0).max(100),
  priority: z.enum(PRIORITIES),
  factors: z.array(ScoreFactorSchema),
});
export type Score = z.infer<typeof ScoreSchema>;

/** One AWS API call, exactly as it is (or would be, in dry-run) sent. */
export const AwsCallSchema = z.object({
  service: z.string(),
  operation: z.string(),
  params: z.record(z.string(), z.unknown()),
  region: z.string().optional(),
  account: z.string().optional(),
});
export type AwsCall = z.infer<typeof AwsCallSchema>;

export const PlannedActionSchema = z.object({
  /** Remediation id from the action registry (`revoke-sg-rules`, `s3-block-public-access`…). */
  action: z.string(),
  target: z.string(),
  /** The plan in plain words, shown to approvers. */
  description: z.string(),
  destructive: z.boolean(),
  calls: z.array(AwsCallSchema),
  permissions: z.array(z.string()),
});
export type PlannedAction = z.infer<typeof PlannedActionSchema>;

export const ACTION_OUTCOMES = ["applied", "already-done", "gone", "skipped", "failed", "dry-run"] as const;

export const AppliedActionSchema = PlannedActionSchema.extend({
  mode: z.enum(["dry-run", "live"]),
  outcome: z.enum(ACTION_OUTCOMES),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  at: isoTime,
  error: z.string().optional(),
});
export type AppliedAction = z.infer<typeof AppliedActionSchema>;

export const VerifyResultSchema = z.object({
  verified: z.boolean(),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string().optional() })),
});
export type VerifyResult = z.infer<typeof VerifyResultSchema>;

/** How an incident is handled once scored. */
export const ROUTES = ["auto", "approval", "notify", "dismiss"] as const;
export type Route = (typeof ROUTES)[number];

export const DecisionSchema = z.object({
  route: z.enum(ROUTES),
  /** Why this route, in plain words (guardrail, threshold, mode…). */
  reason: z.string(),
  plan: z.array(PlannedActionSchema),
  approval: z
    .object({
      timeoutSeconds: z.number().int().positive(),
      onTimeout: z.enum(["approve", "reject"]),
    })
    .optional(),
  /**
   * "Was this you?" (core/confirm/): the actor is asked first, for at most `timeoutSeconds`; a
   * "Yes" keeps the change for `keepHours` before the plan runs.
   */
  confirmation: z
    .object({
      timeoutSeconds: z.number().int().positive(),
      keepHours: z.number().int().positive(),
    })
    .optional(),
});
export type Decision = z.infer<typeof DecisionSchema>;

export const ApprovalRecordSchema = z.object({
  id: z.string(),
  decision: z.enum(["approve", "reject", "timeout"]),
  approver: z.string(),
  at: isoTime,
  comment: z.string().optional(),
  /** `riposte`: closed by Riposte itself (a later event resolved the incident). */
  via: z.enum(["slack", "dashboard", "timeout", "riposte"]),
});
export type ApprovalRecord = z.infer<typeof ApprovalRecordSchema>;

export const TransitionSchema = z.object({
  from: z.enum(INCIDENT_STATUSES).nullable(),
  to: z.enum(INCIDENT_STATUSES),
  at: isoTime,
  /** Who or what made the change: a task name, an approver, a later event. */
  by: z.string(),
  reason: z.string().optional(),
});
export type Transition = z.infer<typeof TransitionSchema>;

export const REMEDIATION_MODES = ["dry-run", "live", "off"] as const;
export type RemediationMode = (typeof REMEDIATION_MODES)[number];

/** The fields of an incident; `IncidentSchema` adds the rule check. */
export const IncidentFields = FindingFields.extend({
  /** Derived from the finding (detection + event ids): a duplicate delivery maps to the same id. */
  id: z.string().min(1),
  status: z.enum(INCIDENT_STATUSES),
  /** Increments with every write; the dashboard reconciles on it. */
  version: z.number().int().nonnegative(),
  createdAt: isoTime,
  updatedAt: isoTime,
  mode: z.enum(REMEDIATION_MODES),
  enrichment: EnrichmentSchema.optional(),
  score: ScoreSchema.optional(),
  decision: DecisionSchema.optional(),
  actions: z.array(AppliedActionSchema).default([]),
  verification: VerifyResultSchema.optional(),
  approvals: z.array(ApprovalRecordSchema).default([]),
  transitions: z.array(TransitionSchema).default([]),
  /** Step Functions execution ARN (or the local interpreter's equivalent). */
  executionArn: z.string().optional(),
  /** Where the incident was announced, so notices are updated in place (Slack `chat.update`). */
  notifications: z
    .object({
      slack: z
        .object({
          channel: z.string(),
          ts: z.string(),
          /** How many of `transitions` the message's thread already lists. */
          transitionsPosted: z.number().int().nonnegative().optional(),
        })
        .optional(),
      snsMessageIds: z.array(z.string()).optional(),
      /** Deliveries that failed, to retry later. */
      failures: z.array(z.object({ at: isoTime, channel: z.string(), error: z.string() })).optional(),
      /** Channels whose latest notice has not been delivered yet (cleared by a later delivery). */
      pending: z.array(z.object({ channel: z.string(), kind: z.string(), since: isoTime })).optional(),
    })
    .optional(),
  /** Id of the incident whose later event resolved this one. */
  resolvedBy: z.string().optional(),
  /** The time-boxed exception that covered the finding (status SUPPRESSED). */
  suppressedBy: SuppressionSchema.optional(),
});
export const IncidentSchema = IncidentFields.superRefine(ruleDeclared);
export type Incident = z.infer<typeof IncidentSchema>;

/** The small projection lists and live messages carry. */
export type IncidentSummary = Pick<
  Incident,
  | "id"
  | "detection"
  | "category"
  | "severity"
  | "title"
  | "status"
  | "version"
  | "createdAt"
  | "updatedAt"
  | "account"
  | "region"
  | "principal"
  | "resource"
  | "sourceIp"
  | "mode"
> & {
  score?: number;
  priority?: Priority;
  /** When the incident first reached a final status (the end of "time to respond"). */
  respondedAt?: string;
};
