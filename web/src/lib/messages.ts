import { CATEGORIES, SEVERITIES } from "../../../core/model/catalog.js";
import type { IncidentSummary } from "../../../core/model/incident.js";
import type { LiveMessage } from "../../../core/model/messages.js";
import { INCIDENT_STATUSES } from "../../../core/model/status.js";

/**
 * Check a live-push frame before it reaches the store. Frames come from our own server, but a
 * proxy, an old server or a bug can send anything; a bad frame is dropped with a reason, never
 * half-applied. (Hand-written rather than zod, to keep the dashboard bundle small.)
 */

export type ParsedMessage = { ok: true; message: LiveMessage } | { ok: false; reason: string };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === "string";
const oneOf = (allowed: readonly string[], value: unknown) => isString(value) && allowed.includes(value);

function summaryProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return "incident is not an object";
  for (const key of [
    "id",
    "detection",
    "title",
    "createdAt",
    "updatedAt",
    "account",
    "region",
    "principal",
    "resource",
  ]) {
    if (!isString(value[key])) return `incident.${key} is not a string`;
  }
  if (!oneOf(INCIDENT_STATUSES, value.status)) return "incident.status is not a known status";
  if (!oneOf(CATEGORIES, value.category)) return "incident.category is not a known category";
  if (!oneOf(SEVERITIES, value.severity)) return "incident.severity is not a known severity";
  if (typeof value.version !== "number") return "incident.version is not a number";
  if (value.score !== undefined && typeof value.score !== "number") return "incident.score is not a number";
  return undefined;
}

/** Parse one WebSocket frame into a live message, or say why it was refused. */
export function parseLiveMessage(data: unknown): ParsedMessage {
  if (!isString(data)) return { ok: false, reason: "frame is not text" };
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { ok: false, reason: "frame is not JSON" };
  }
  if (!isRecord(value)) return { ok: false, reason: "frame is not an object" };
  switch (value.type) {
    case "heartbeat":
      return { ok: true, message: value as unknown as LiveMessage };
    case "incident.created": {
      const problem = summaryProblem(value.incident);
      if (problem) return { ok: false, reason: problem };
      return {
        ok: true,
        message: { ...(value as object), incident: value.incident as IncidentSummary } as LiveMessage,
      };
    }
    case "incident.changed":
      if (!isString(value.id)) return { ok: false, reason: "id is not a string" };
      if (!oneOf(INCIDENT_STATUSES, value.status)) return { ok: false, reason: "status is not a known status" };
      if (typeof value.version !== "number") return { ok: false, reason: "version is not a number" };
      if (!isString(value.at)) return { ok: false, reason: "at is not a string" };
      return { ok: true, message: value as unknown as LiveMessage };
    default:
      return { ok: false, reason: "unknown message type" };
  }
}
