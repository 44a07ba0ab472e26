import type { Incident, IncidentSummary } from "../../model/incident.js";
import type { LiveMessage } from "../../model/messages.js";
import { MESSAGE_VERSION } from "../../model/messages.js";
import type { IncidentStatus } from "../../model/status.js";
import { incidentFromItem, summaryFromItem } from "./items.js";
import { INCIDENT_SK } from "./keys.js";

/**
 * DynamoDB Streams records (NEW_AND_OLD_IMAGES) of the store's table as live messages: an
 * inserted incident item is `incident.created`, a modified one whose version moved is
 * `incident.changed`. Audit entries, approvals, evidence chunks and connections say nothing.
 */
/** An attribute value as the Lambda event carries it (JSON; binary as base64). */
export type StreamAttribute = Partial<{
  S: string;
  N: string;
  BOOL: boolean;
  NULL: boolean;
  B: string;
  M: Record<string, StreamAttribute>;
  L: StreamAttribute[];
  SS: string[];
  NS: string[];
  BS: string[];
}>;

export interface StreamRecord {
  eventName?: "INSERT" | "MODIFY" | "REMOVE" | string;
  dynamodb?: {
    NewImage?: Record<string, StreamAttribute>;
    OldImage?: Record<string, StreamAttribute>;
  };
}

/** One attribute as a plain value (numbers as numbers; this table stores no big numbers). */
export function attributeValue(value: StreamAttribute): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.B !== undefined) return new Uint8Array(Buffer.from(value.B, "base64"));
  if (value.M !== undefined) return image(value.M);
  if (value.L !== undefined) return value.L.map(attributeValue);
  if (value.SS !== undefined) return new Set(value.SS);
  if (value.NS !== undefined) return new Set(value.NS.map(Number));
  if (value.BS !== undefined) return new Set(value.BS.map((entry) => new Uint8Array(Buffer.from(entry, "base64"))));
  return undefined;
}

function image(value: Record<string, StreamAttribute> | undefined): Record<string, unknown> | undefined {
  if (!value) return undefined;
  return Object.fromEntries(Object.entries(value).map(([name, attribute]) => [name, attributeValue(attribute)]));
}

export function liveMessagesFromStream(records: readonly StreamRecord[]): LiveMessage[] {
  const messages: LiveMessage[] = [];
  for (const record of records) {
    const next = image(record.dynamodb?.NewImage);
    if (!next || next.sk !== INCIDENT_SK) continue;
    const { summary: _text, ...summary } = summaryFromItem(next);
    const incident = summary as IncidentSummary;
    if (record.eventName === "INSERT") {
      messages.push({ v: MESSAGE_VERSION, type: "incident.created", incident });
    } else if (record.eventName === "MODIFY") {
      const previous = image(record.dynamodb?.OldImage);
      if (previous && previous.version === next.version) continue;
      messages.push({
        v: MESSAGE_VERSION,
        type: "incident.changed",
        id: incident.id,
        status: incident.status,
        version: incident.version,
        at: incident.updatedAt,
      });
    }
  }
  return messages;
}

/**
 * The stream's incident writes as whole incidents (the item's document; evidence chunks are not
 * read): a new incident, or a changed one with its status before the change. Writes that did not
 * move the version (no change) and every other item say nothing.
 */
export function incidentChangesFromStream(
  records: readonly StreamRecord[],
): { incident: Incident; previousStatus?: IncidentStatus }[] {
  const changes: { incident: Incident; previousStatus?: IncidentStatus }[] = [];
  for (const record of records) {
    const next = image(record.dynamodb?.NewImage);
    if (!next || next.sk !== INCIDENT_SK) continue;
    if (record.eventName === "INSERT") {
      changes.push({ incident: incidentFromItem(next) });
    } else if (record.eventName === "MODIFY") {
      const previous = image(record.dynamodb?.OldImage);
      if (previous && previous.version === next.version) continue;
      const incident = incidentFromItem(next);
      const before = previous ? summaryFromItem(previous).status : undefined;
      changes.push(before ? { incident, previousStatus: before } : { incident });
    }
  }
  return changes;
}
