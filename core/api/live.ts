import type { IncidentSummary } from "../model/incident.js";
import type { HeartbeatMessage, IncidentChangedMessage, LiveMessage } from "../model/messages.js";
import { MESSAGE_VERSION } from "../model/messages.js";
import type { StoreChange } from "../store/ports.js";
import { summarize } from "../store/summary.js";

/**
 * Store changes as live messages: small and versioned. A created incident carries its summary;
 * a change carries only id, status, version and time, and the dashboard refetches what it shows.
 */
export function toLiveMessage(change: StoreChange): LiveMessage {
  if (change.type === "incident.created") {
    return { v: MESSAGE_VERSION, type: "incident.created", incident: summarize(change.incident) };
  }
  return changedMessage(change.incident);
}

/** The `incident.changed` message of an incident (or its summary): id, status, version and time. */
export function changedMessage(
  incident: Pick<IncidentSummary, "id" | "status" | "version" | "updatedAt">,
): IncidentChangedMessage {
  return {
    v: MESSAGE_VERSION,
    type: "incident.changed",
    id: incident.id,
    status: incident.status,
    version: incident.version,
    at: incident.updatedAt,
  };
}

export function heartbeatMessage(now: Date): HeartbeatMessage {
  return { v: MESSAGE_VERSION, type: "heartbeat", at: now.toISOString() };
}
