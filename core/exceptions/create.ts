import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { InvalidInput, NotAnApprover, NotFound } from "../errors.js";
import {
  type ExceptionRecord,
  ExceptionSchema,
  ExceptionScopeSchema,
  type ExceptionSource,
  isoInstant,
} from "../model/exception.js";
import { FindingDetectionSchema } from "../model/incident.js";
import { parseCidr } from "../net/ip.js";
import { exceptionAuditKey } from "../store/ports.js";
import type { TaskDeps } from "../task-deps.js";

/**
 * Creating a time-boxed exception: only approvers may (the same rule as approvals: a Slack user on
 * `approval.slackApprovers`, or the authenticated dashboard while `approval.allowDashboard`), the
 * expiry is required and no further out than `exceptions.maxDays`, and every creation, like every
 * refusal, is audited: on the exception's own trail and, when it came from an incident, on the
 * incident's.
 */

const DAY_MS = 24 * 3600 * 1000;

/** What the dashboard (`POST /api/exceptions`) sends. */
export const ExceptionRequestSchema = z.strictObject({
  detection: FindingDetectionSchema,
  scope: ExceptionScopeSchema,
  /** Who answers for it; the approver when absent. */
  owner: z.string().trim().min(1).max(200).optional(),
  reason: z.string().trim().min(1, "must not be empty").max(1000, "at most 1000 characters"),
  expiresAt: isoInstant,
  incidentId: z.string().min(1).max(200).optional(),
});
export type ExceptionRequest = z.input<typeof ExceptionRequestSchema>;

export interface ExceptionCreator {
  /** The approver: a Slack user id, or the dashboard token's principal. */
  approver: string;
  via: Exclude<ExceptionSource, "config">;
  /** A stable id makes the creation idempotent (a repeated Slack click); a random one otherwise. */
  id?: string;
}

function mayCreate(creator: ExceptionCreator, deps: TaskDeps): boolean {
  if (creator.via === "slack") return deps.config.approval.slackApprovers.includes(creator.approver);
  return deps.config.approval.allowDashboard;
}

function issuesText(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`).join("; ");
}

/** Create an exception (idempotent on `creator.id`); throws `NotAnApprover` or `InvalidInput`. */
export async function createException(
  raw: ExceptionRequest,
  creator: ExceptionCreator,
  deps: TaskDeps,
): Promise<{ exception: ExceptionRecord; created: boolean }> {
  const parsed = ExceptionRequestSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidInput(`exception is invalid: ${issuesText(parsed.error)}`);
  const request = parsed.data;
  const now = deps.now();
  const at = now.toISOString();
  if (!mayCreate(creator, deps)) {
    if (request.incidentId) {
      await deps.store.appendAudit({
        incidentId: request.incidentId,
        at,
        actor: creator.approver,
        action: "exception.refused",
        detail: { via: creator.via, reason: "not an approver" },
      });
    }
    deps.logger.warn("exception refused: not an approver", { via: creator.via });
    throw new NotAnApprover(`${creator.approver} may not create exceptions via ${creator.via}`);
  }
  const expires = Date.parse(request.expiresAt);
  const maxDays = deps.config.exceptions.maxDays;
  if (expires <= now.getTime()) throw new InvalidInput("exception is invalid: expiresAt: must be in the future");
  if (expires > now.getTime() + maxDays * DAY_MS) {
    throw new InvalidInput(
      `exception is invalid: expiresAt: must be at most exceptions.maxDays (${maxDays}) days from now`,
    );
  }
  if (request.scope.kind === "cidr" && !parseCidr(request.scope.value)) {
    throw new InvalidInput("exception is invalid: scope.value: expected a CIDR such as 203.0.113.0/24");
  }
  const exception = ExceptionSchema.parse({
    id: creator.id ?? `${creator.via === "slack" ? "slk" : "dsh"}-${randomBytes(12).toString("hex")}`,
    detection: request.detection,
    scope: request.scope,
    owner: request.owner ?? creator.approver.slice(0, 200),
    reason: request.reason,
    createdAt: at,
    expiresAt: new Date(expires).toISOString(),
    createdBy: `${creator.via}:${creator.approver}`.slice(0, 200),
    source: creator.via,
    ...(request.incidentId ? { incidentId: request.incidentId } : {}),
  });
  const stored = await deps.store.putException(exception);
  if (!stored.created) return stored;
  const detail = { exception };
  await deps.store.appendAudit({
    incidentId: exceptionAuditKey(exception.id),
    at,
    actor: creator.approver,
    action: "exception.created",
    detail,
  });
  if (exception.incidentId) {
    await deps.store.appendAudit({
      incidentId: exception.incidentId,
      at,
      actor: creator.approver,
      action: "exception.created",
      detail: { exceptionId: exception.id, expiresAt: exception.expiresAt, via: creator.via },
    });
  }
  deps.logger.info("exception created", { exceptionId: exception.id, via: creator.via });
  return stored;
}

/** The Slack buttons' two choices: how long, and how the reason says it. */
export const SLACK_CHOICES = {
  snooze: { hours: 24, reason: "snoozed for 24 h from Slack" },
  allow: { hours: 7 * 24, reason: "allowed for 7 days from Slack" },
} as const;
export type SlackChoice = keyof typeof SLACK_CHOICES;

/**
 * "Snooze 24 h" / "Allow for 7 days" on an incident's Slack message: an exception for the
 * incident's detection, scoped to its principal (its resource when it names no principal), for
 * the chosen time (capped at `exceptions.maxDays`). One click per user and choice creates it once.
 */
export async function exceptionFromSlack(
  args: { incidentId: string; choice: SlackChoice; user: string },
  deps: TaskDeps,
): Promise<{ exception: ExceptionRecord; created: boolean }> {
  const incident = await deps.store.getIncident(args.incidentId);
  if (!incident) throw new NotFound(`incident ${args.incidentId} does not exist`);
  const scope = incident.principal
    ? ({ kind: "principal", value: incident.principal.slice(0, 2048) } as const)
    : incident.resource
      ? ({ kind: "resource", value: incident.resource.slice(0, 2048) } as const)
      : undefined;
  if (!scope) throw new InvalidInput(`incident ${incident.id} names neither a principal nor a resource`);
  const choice = SLACK_CHOICES[args.choice];
  const hours = Math.min(choice.hours, deps.config.exceptions.maxDays * 24);
  const id = `slk-${createHash("sha256").update(`${incident.id}\n${args.choice}\n${args.user}`).digest("hex").slice(0, 32)}`;
  return createException(
    {
      detection: incident.detection,
      scope,
      reason: `${choice.reason} on incident ${incident.id}`,
      expiresAt: new Date(deps.now().getTime() + hours * 3600 * 1000).toISOString(),
      incidentId: incident.id,
    },
    { approver: args.user, via: "slack", id },
    deps,
  );
}
