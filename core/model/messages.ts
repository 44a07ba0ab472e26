import type { IncidentSummary } from "./incident.js";
import type { IncidentStatus } from "./status.js";

/**
 * Live-push messages (local `ws` server and API Gateway WebSocket API alike). They are small
 * and versioned; the dashboard reconciles them into its store and resyncs over REST on reconnect.
 */

export const MESSAGE_VERSION = 1;

export interface IncidentCreatedMessage {
  v: typeof MESSAGE_VERSION;
  type: "incident.created";
  incident: IncidentSummary;
}

export interface IncidentChangedMessage {
  v: typeof MESSAGE_VERSION;
  type: "incident.changed";
  id: string;
  status: IncidentStatus;
  version: number;
  at: string;
}

export interface HeartbeatMessage {
  v: typeof MESSAGE_VERSION;
  type: "heartbeat";
  at: string;
}

export type LiveMessage = IncidentCreatedMessage | IncidentChangedMessage | HeartbeatMessage;
