import { z } from "zod";
import { EventEnvelopeSchema } from "./event.js";
import {
  AppliedActionSchema,
  DecisionSchema,
  EnrichmentSchema,
  FindingDetectionSchema,
  FindingSchema,
  IncidentFields,
  PlannedActionSchema,
  ruleDeclared,
  ScoreSchema,
  VerifyResultSchema,
} from "./incident.js";
import { INCIDENT_STATUSES } from "./status.js";

/**
 * The contract between the workflow (ASL in `workflows/`) and its task handlers
 * (`functions/`): one input and one output schema per task. The same schemas validate payloads
 * in Lambda and in the local interpreter.
 *
 * Tasks carry the incident without its evidence (`WorkingIncident`): Step Functions payloads are
 * limited to 256 KB, and the evidence stays in the store.
 */

export const WorkingIncidentSchema = IncidentFields.omit({ evidence: true }).superRefine(ruleDeclared);
export type WorkingIncident = z.infer<typeof WorkingIncidentSchema>;

/** Execution facts the ASL passes from `$states.context.Execution`. */
export const ExecutionRefSchema = z.object({
  id: z.string(),
  name: z.string(),
  startTime: z.string().optional(),
});

/**
 * Workflow input: a finding (from the local runtime or the correlate function, which name the
 * execution after the incident id), or one raw event selected by a stateless EventBridge rule
 * (a built-in detection's, or a user's rule's: the open task knows the deployed rules).
 */
export const WorkflowInputSchema = z.union([
  z.object({ finding: FindingSchema }),
  z.object({ detection: FindingDetectionSchema, event: EventEnvelopeSchema }),
]);
export type WorkflowInput = z.infer<typeof WorkflowInputSchema>;

/**
 * Open incident: store it as NEW (idempotent); a duplicate delivery ends the workflow, and so does
 * a finding a time-boxed exception covers (`suppressed`: the incident is SUPPRESSED, naming it).
 */
export const OpenInputSchema = z.object({
  input: WorkflowInputSchema,
  execution: ExecutionRefSchema,
});
export const OpenOutputSchema = z.object({
  incident: WorkingIncidentSchema,
  duplicate: z.boolean(),
  suppressed: z.boolean().default(false),
});

/** Enrich: context for the source, the principal and the resource. */
export const EnrichInputSchema = z.object({ incident: WorkingIncidentSchema });
export const EnrichOutputSchema = z.object({ enrichment: EnrichmentSchema });

/** Score: risk score and the route the incident takes; moves the incident to TRIAGED. */
export const ScoreInputSchema = z.object({
  incident: WorkingIncidentSchema,
  enrichment: EnrichmentSchema,
});
export const ScoreOutputSchema = z.object({ score: ScoreSchema, decision: DecisionSchema });

export const NOTICE_KINDS = ["opened", "status", "escalation"] as const;

/** Notify: Slack message (posted once, then updated in place) and SNS; never blocks the flow. */
export const NotifyInputSchema = z.object({
  incident: WorkingIncidentSchema,
  kind: z.enum(NOTICE_KINDS),
  status: z.enum(INCIDENT_STATUSES).optional(),
  enrichment: EnrichmentSchema.optional(),
  score: ScoreSchema.optional(),
  decision: DecisionSchema.optional(),
  error: z.unknown().optional(),
});
export const NotifyOutputSchema = z.object({
  slack: z.object({ channel: z.string(), ts: z.string() }).optional(),
  sns: z.object({ messageId: z.string() }).optional(),
  /** Deliveries that failed (recorded on the incident and retried later, never thrown). */
  failures: z.array(z.string()),
});

/**
 * Request approval (`.waitForTaskToken`): the handler stores the token server-side under an
 * approval id, posts the buttons and moves the incident to AWAITING_APPROVAL. The task's result
 * is what SendTaskSuccess carries.
 */
export const RequestApprovalInputSchema = z.object({
  incident: WorkingIncidentSchema,
  decision: DecisionSchema,
  taskToken: z.string().min(1),
});
export const RequestApprovalOutputSchema = z.object({ approvalId: z.string() });
export const ApprovalResultSchema = z.object({
  decision: z.enum(["approve", "reject"]),
  approver: z.string(),
  at: z.string(),
  comment: z.string().optional(),
});
export type ApprovalResult = z.infer<typeof ApprovalResultSchema>;

/**
 * "Was this you?" (`.waitForTaskToken`, core/confirm/): DM the actor mapped from the principal,
 * keeping the token server-side under a confirmation id (the approval store's mechanics). The
 * task's result is the answer, as SendTaskSuccess carries it: `approve` = "Yes, keep it",
 * `reject` = "No", `approver` the actor's Slack user id. No actor to ask: the task fails with
 * `NoActorToAsk` and the detection's default response applies.
 */
export const ConfirmInputSchema = z.object({
  incident: WorkingIncidentSchema,
  decision: DecisionSchema,
  taskToken: z.string().min(1),
});
export const ConfirmOutputSchema = z.object({ confirmationId: z.string() });

/** Remediate: moves the incident to PROCESSING, then applies (or dry-runs) the plan. */
export const RemediateInputSchema = z.object({
  incident: WorkingIncidentSchema,
  plan: z.array(PlannedActionSchema),
  approval: ApprovalResultSchema.optional(),
});
export const RemediateOutputSchema = z.object({ actions: z.array(AppliedActionSchema) });

/** Verify: proof that the risk is gone. */
export const VerifyInputSchema = z.object({
  incident: WorkingIncidentSchema,
  actions: z.array(AppliedActionSchema),
});
export const VerifyOutputSchema = VerifyResultSchema;

/** Record: the final (or failure) status, with the reason, on the incident and its audit trail. */
export const RecordInputSchema = z.object({
  incidentId: z.string(),
  status: z.enum(INCIDENT_STATUSES),
  reason: z.string(),
  by: z.string().default("workflow"),
  /** `$states.errorOutput` on the failure path. */
  error: z.unknown().optional(),
});
export const RecordOutputSchema = z.object({
  incidentId: z.string(),
  status: z.enum(INCIDENT_STATUSES),
  version: z.number().int(),
});

/**
 * The workflow's tasks, in the order a workflow meets them, each with its input and output: the
 * one list of tasks. The function placeholders (`workflows/functions.ts`), the deployed functions
 * (`infra/functions.ts`), the stacks and the local runtime are built from its names, and tsc names
 * whatever a new task still lacks there.
 */
export const TASKS = {
  open: { input: OpenInputSchema, output: OpenOutputSchema },
  enrich: { input: EnrichInputSchema, output: EnrichOutputSchema },
  score: { input: ScoreInputSchema, output: ScoreOutputSchema },
  notify: { input: NotifyInputSchema, output: NotifyOutputSchema },
  confirm: { input: ConfirmInputSchema, output: ConfirmOutputSchema },
  approval: { input: RequestApprovalInputSchema, output: RequestApprovalOutputSchema },
  remediate: { input: RemediateInputSchema, output: RemediateOutputSchema },
  verify: { input: VerifyInputSchema, output: VerifyOutputSchema },
  record: { input: RecordInputSchema, output: RecordOutputSchema },
} as const;
export type TaskName = keyof typeof TASKS;
export type TaskSchemas = typeof TASKS;

// Object.keys keeps the declaration's order and knows no other keys.
export const TASK_NAMES = Object.keys(TASKS) as readonly TaskName[];

/** One value per task, in `TASK_NAMES` order: a record no task can be missing from. */
export function perTask<V>(value: (task: TaskName) => V): Record<TaskName, V> {
  return Object.fromEntries(TASK_NAMES.map((task) => [task, value(task)])) as Record<TaskName, V>;
}

/** A task's name capitalized (`open` → `Open`): the stem of its function's placeholder and logical name. */
export function capitalizedTask<T extends TaskName>(task: T): Capitalize<T> {
  return `${task.charAt(0).toUpperCase()}${task.slice(1)}` as Capitalize<T>;
}
