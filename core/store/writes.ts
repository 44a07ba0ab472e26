import { type ExceptionRecord, exceptionHoldsAt } from "../model/exception.js";
import type { Incident } from "../model/incident.js";
import { canTransition, type IncidentStatus } from "../model/status.js";
import type { ApprovalResult } from "../model/tasks.js";
import type { DecideOptions, IncidentPatch, PendingApproval, TransitionMeta } from "./ports.js";

/**
 * The write rules every store applies, kept in one place so memory, SQLite and DynamoDB agree:
 * a transition is applied only when `canTransition` allows it, every write bumps `version`, and
 * `updatedAt` is the time of the latest status change.
 */

/** Fields only the store writes: identity, status and history are never patched. */
const STORE_OWNED = new Set(["id", "status", "version", "transitions", "createdAt", "updatedAt"]);

function cleanPatch(patch: IncidentPatch): IncidentPatch {
  const clean: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (!STORE_OWNED.has(key) && value !== undefined) clean[key] = structuredClone(value);
  }
  return clean as IncidentPatch;
}

/** The incident after moving to `to`, or undefined when the move is not allowed. */
export function applyTransition(
  current: Incident,
  to: IncidentStatus,
  meta: TransitionMeta,
  patch: IncidentPatch = {},
): Incident | undefined {
  if (!canTransition(current.status, to)) return undefined;
  const transition = {
    from: current.status,
    to,
    at: meta.at,
    by: meta.by,
    ...(meta.reason ? { reason: meta.reason } : {}),
  };
  return {
    ...current,
    ...cleanPatch(patch),
    status: to,
    version: current.version + 1,
    updatedAt: meta.at,
    transitions: [...current.transitions, transition],
  };
}

/** The incident with non-status fields merged. */
export function applyPatch(current: Incident, patch: IncidentPatch): Incident {
  return { ...current, ...cleanPatch(patch), version: current.version + 1 };
}

/** The approval once decided: status and result, and with `resume` its resume record. */
export function decidedApproval(
  current: PendingApproval,
  status: Exclude<PendingApproval["status"], "pending">,
  result: ApprovalResult,
  options: DecideOptions = {},
): PendingApproval {
  return {
    ...current,
    status,
    result: structuredClone(result),
    ...(options.via ? { via: options.via } : {}),
    ...(options.resume ? { resumePending: true } : {}),
  };
}

/** Exceptions in listing order: the latest expiry first, then by id. */
export function compareExceptions(a: ExceptionRecord, b: ExceptionRecord): number {
  if (a.expiresAt !== b.expiresAt) return Date.parse(b.expiresAt) - Date.parse(a.expiresAt);
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The listing of `exceptions`: sorted, and with `activeAt` only those holding then. */
export function listedExceptions(exceptions: ExceptionRecord[], filter: { activeAt?: string } = {}): ExceptionRecord[] {
  const { activeAt } = filter;
  return exceptions
    .filter((exception) => activeAt === undefined || exceptionHoldsAt(exception, activeAt))
    .sort(compareExceptions);
}
