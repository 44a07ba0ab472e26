import type { IncidentStatus } from "../model/status.js";
import type { TaskDeps } from "../task-deps.js";

/**
 * Recording how an incident ends (or fails): the status move with its reason, on the incident
 * and in its audit trail. A status never regresses, so recording DISMISSED on an incident a later
 * event already RESOLVED changes nothing — and says so.
 */

export interface RecordArgs {
  incidentId: string;
  status: IncidentStatus;
  reason: string;
  by: string;
  /** What failed: Step Functions' error output, or the workflow's `{ state, error, cause }`. */
  error?: unknown;
}

const MAX_DETAIL = 500;

function truncate(text: string): string {
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** A Lambda error's cause is JSON with the function's own message; anything else is used as is. */
function causeMessage(cause: string): string {
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === "string") return parsed.errorMessage;
  } catch {
    // not JSON: a plain cause
  }
  return cause;
}

/** One line saying what failed, from either error shape the workflow passes. */
export function describeError(error: unknown): string | undefined {
  if (error === undefined || error === null) return undefined;
  if (typeof error !== "object") return truncate(String(error));
  const record = error as Record<string, unknown>;
  const name = text(record.error) ?? text(record.Error);
  const cause = text(record.cause) ?? text(record.Cause);
  if (!name && !cause) return truncate(JSON.stringify(error));
  const message = cause ? causeMessage(cause) : undefined;
  return truncate([name, message].filter(Boolean).join(": "));
}

export async function recordStatus(
  args: RecordArgs,
  deps: TaskDeps,
): Promise<{ incidentId: string; status: IncidentStatus; version: number }> {
  const at = deps.now().toISOString();
  const failure = describeError(args.error);
  const reason = failure ? `${args.reason} (${failure})` : args.reason;
  const detail = (status: IncidentStatus) => ({
    requested: args.status,
    status,
    reason,
    ...(failure ? { error: failure } : {}),
  });
  // Recorded with the move (one write); a move refused is recorded on its own.
  const moved = await deps.store.transition(args.incidentId, args.status, { at, by: args.by, reason }, undefined, {
    at,
    actor: args.by,
    action: "status.recorded",
    detail: detail(args.status),
  });
  if (!moved.applied) {
    await deps.store.appendAudit({
      incidentId: args.incidentId,
      at,
      actor: args.by,
      action: "status.kept",
      detail: detail(moved.incident.status),
    });
    deps.logger.info("final status not applied: the incident already moved on", {
      requested: args.status,
      status: moved.incident.status,
    });
  }
  return { incidentId: args.incidentId, status: moved.incident.status, version: moved.incident.version };
}
