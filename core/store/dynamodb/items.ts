import { gunzipSync, gzipSync } from "node:zlib";
import { InvalidInput } from "../../errors.js";
import type { Incident, IncidentSummary } from "../../model/incident.js";
import { summarize } from "../summary.js";
import {
  ALL_INCIDENTS,
  EVIDENCE_SK_PREFIX,
  evidenceSk,
  INCIDENT_SK,
  incidentPk,
  listSk,
  principalKey,
  resourceKey,
  SUMMARY_ATTRIBUTES,
  shardedKey,
  statusKey,
} from "./keys.js";

/**
 * Incidents as DynamoDB items. The summary attributes are plain attributes (indexes, filters and
 * stream images read them); the whole incident is `doc` (JSON, or gzip in `docGz` past 300 KB).
 * Evidence that would push an item past DynamoDB's 400 KB limit moves to chunk items written
 * once at creation (evidence never changes afterwards).
 */

export type Item = Record<string, unknown>;

/** Past this many bytes the doc is gzipped, and evidence moves out to chunks. */
const INLINE_LIMIT = 300 * 1024;
/** Uncompressed JSON per evidence chunk; gzip keeps every chunk well under 400 KB. */
const CHUNK_LIMIT = 256 * 1024;
const ITEM_LIMIT = 390 * 1024;

export interface IncidentItems {
  main: Item;
  chunks: Item[];
}

function docAttributes(incident: Incident): Item {
  const json = JSON.stringify(incident);
  if (Buffer.byteLength(json) <= INLINE_LIMIT) return { doc: json };
  const compressed = gzipSync(json);
  if (compressed.byteLength > ITEM_LIMIT) {
    throw new InvalidInput(`incident ${incident.id} is too large to store (${compressed.byteLength} bytes compressed)`);
  }
  return { docGz: new Uint8Array(compressed) };
}

function summaryAttributes(incident: Incident): Item {
  const summary: Item = { ...summarize(incident), summary: incident.summary };
  for (const key of Object.keys(summary)) if (summary[key] === undefined) delete summary[key];
  return summary;
}

/** The key attributes that place an incident in the indexes (sparse where empty). */
function indexAttributes(incident: Incident): Item {
  return {
    listSk: listSk(incident.createdAt, incident.id),
    gsi1pk: shardedKey(ALL_INCIDENTS, incident.id),
    gsi2pk: shardedKey(statusKey(incident.status), incident.id),
    ...(incident.resource ? { gsi3pk: shardedKey(resourceKey(incident.resource), incident.id) } : {}),
    ...(incident.principal ? { gsi4pk: shardedKey(principalKey(incident.principal), incident.id) } : {}),
  };
}

function chunkEvidence(id: string, evidence: unknown[]): Item[] {
  const chunks: unknown[][] = [];
  let current: unknown[] = [];
  let size = 0;
  for (const record of evidence) {
    const recordSize = Buffer.byteLength(JSON.stringify(record) ?? "null");
    if (current.length > 0 && size + recordSize > CHUNK_LIMIT) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(record);
    size += recordSize;
  }
  if (current.length > 0) chunks.push(current);
  return chunks.map((records, index) => {
    const data = gzipSync(JSON.stringify(records));
    if (data.byteLength > ITEM_LIMIT) {
      throw new InvalidInput(
        `incident ${id} has an evidence record too large to store (${data.byteLength} bytes compressed)`,
      );
    }
    return { pk: incidentPk(id), sk: evidenceSk(index), data: new Uint8Array(data) };
  });
}

/** The items for a new incident: evidence moves to chunks when the incident is large. */
export function incidentToItems(incident: Incident): IncidentItems {
  const inline = JSON.stringify(incident);
  if (Buffer.byteLength(inline) <= INLINE_LIMIT || incident.evidence.length === 0) {
    return { main: incidentItem(incident, 0), chunks: [] };
  }
  const chunks = chunkEvidence(incident.id, incident.evidence);
  return { main: incidentItem(incident, chunks.length), chunks };
}

/** The main item of an incident whose evidence lives in `evidenceChunks` chunk items (0: inline). */
export function incidentItem(incident: Incident, evidenceChunks: number): Item {
  const stored = evidenceChunks > 0 ? { ...incident, evidence: [] } : incident;
  return {
    pk: incidentPk(incident.id),
    sk: INCIDENT_SK,
    type: "incident",
    ...summaryAttributes(incident),
    ...indexAttributes(incident),
    ...docAttributes(stored),
    evidenceChunks,
  };
}

function bytesOf(value: unknown): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value);
  throw new Error("expected a binary attribute");
}

/** The incident in a main item (without chunked evidence). */
export function incidentFromItem(item: Item): Incident {
  if (typeof item.doc === "string") return JSON.parse(item.doc) as Incident;
  return JSON.parse(gunzipSync(bytesOf(item.docGz)).toString("utf8")) as Incident;
}

/** Rebuild an incident from its main item and any evidence chunks (in sort-key order). */
export function incidentFromItems(items: Item[]): Incident | undefined {
  const main = items.find((item) => item.sk === INCIDENT_SK);
  if (!main) return undefined;
  const incident = incidentFromItem(main);
  const chunks = items
    .filter((item) => typeof item.sk === "string" && item.sk.startsWith(EVIDENCE_SK_PREFIX))
    .sort((a, b) => ((a.sk as string) < (b.sk as string) ? -1 : 1));
  if (Number(main.evidenceChunks ?? 0) > 0) {
    incident.evidence = chunks.flatMap((chunk) => JSON.parse(gunzipSync(bytesOf(chunk.data)).toString("utf8")));
  }
  return incident;
}

/** The summary (plus `summary` text for text search) from an item or index projection. */
export function summaryFromItem(item: Item): IncidentSummary & { summary?: string } {
  const summary: Record<string, unknown> = {};
  for (const key of SUMMARY_ATTRIBUTES) {
    if (item[key] !== undefined) summary[key] = item[key];
  }
  return summary as IncidentSummary & { summary?: string };
}
