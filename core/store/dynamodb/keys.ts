import { createHash } from "node:crypto";

/**
 * Single-table design (table `Incidents` in `stacks/storage.ts`: `pk`/`sk` strings, TTL on
 * `expiresAt`, stream NEW_AND_OLD_IMAGES).
 *
 *   item            pk                   sk                         notes
 *   incident        INCIDENT#<id>        INCIDENT                   summary attributes + `doc` (JSON)
 *   evidence chunk  INCIDENT#<id>        INCIDENT#EVIDENCE#<nnnn>   only for evidence over ~300 KB
 *   audit entry     INCIDENT#<id>        AUDIT#<at>#<seq>           oldest first by sort key
 *   approval        APPROVAL#<id>        APPROVAL                   `expiresAt` TTL after it is useless
 *   ws connection   CONNECTIONS          CONNECTION#<id>            `expiresAt` TTL (API Gateway: 2 h max)
 *   exception       EXCEPTIONS           EXCEPTION#<id>             `doc` (JSON); `expiresAt` TTL a retention after expiry
 *   correlation     CORR#… CORRSET#… CORRTIMER#… CORRDUE#<n>  see `correlation.ts` (event-time expiry + TTL)
 *
 * Global secondary indexes, all ranged by `listSk` = `<createdAt>#<id>` (newest first when read
 * backwards) and projecting the summary attributes:
 *
 *   byTime       gsi1pk = INCIDENTS#<n>               every incident
 *   byStatus     gsi2pk = STATUS#<status>#<n>         incidents; APPROVALS#pending for pending approvals,
 *                                                      APPROVALS#resume for decisions not yet resumed
 *   byResource   gsi3pk = RESOURCE#<resource>#<n>     sparse: incidents with a resource
 *   byPrincipal  gsi4pk = PRINCIPAL#<principal>#<n>   sparse: incidents with a principal
 *
 * `<n>` is the incident's shard, `shardOf(id)` in 0..SHARDS-1: the incidents of a storm (~1,000
 * writes/s, possibly all from one principal) and their status changes spread over SHARDS
 * partitions per key, well under DynamoDB's 1,000 WCU/s per partition (a listSk that only grows
 * gives DynamoDB nothing to split a hot key on). A listing reads every shard and merges them by
 * `listSk` (`shardPartitions`, `merge.ts`); the cursor is a position in that total order, valid
 * in every shard. Items written before sharding carry the bare key (`INCIDENTS`, `STATUS#…`,
 * `RESOURCE#…`, `PRINCIPAL#…`); listings still read those partitions (no writes go there any
 * more), and an incident moves to its shards on its next write. The approval keys are not
 * sharded: one item per approval request, never a storm.
 *
 * Index reads are eventually consistent (a DynamoDB property); reads by key are strongly consistent.
 */

export const INCIDENT_SK = "INCIDENT";
export const EVIDENCE_SK_PREFIX = "INCIDENT#EVIDENCE#";
export const AUDIT_SK_PREFIX = "AUDIT#";
export const APPROVAL_SK = "APPROVAL";
export const CONNECTIONS_PK = "CONNECTIONS";
export const CONNECTION_SK_PREFIX = "CONNECTION#";
export const PENDING_APPROVALS = "APPROVALS#pending";
/** Decided approvals whose decision the waiting workflow has not taken yet (the resume record). */
export const APPROVALS_TO_RESUME = "APPROVALS#resume";
export const ALL_INCIDENTS = "INCIDENTS";
/** One partition for every exception: a handful, created by people, read whole by each open task. */
export const EXCEPTIONS_PK = "EXCEPTIONS";
export const EXCEPTION_SK_PREFIX = "EXCEPTION#";

/**
 * Partitions per hot index key. 16 × DynamoDB's 1,000 WCU/s per partition is far above a storm of
 * ~1,000 incident writes/s; a listing costs one query per shard (run in parallel). Raising it is
 * safe (incidents move on their next write; listings read the old shards too); lowering it would
 * hide the incidents left in the dropped shards.
 */
export const SHARDS = 16;

/** The shard of an id: uniform and stable (SHA-256, so no crafted ids pile onto one shard). */
export function shardOf(id: string, shards: number = SHARDS): number {
  return createHash("sha256").update(id).digest().readUInt32BE(0) % shards;
}

/** A hot key split by the id's shard. */
export const shardedKey = (base: string, id: string) => `${base}#${shardOf(id)}`;

/** Every partition a listing of `base` reads: the pre-sharding one, then each shard. */
export const shardPartitions = (base: string) => [base, ...Array.from({ length: SHARDS }, (_, n) => `${base}#${n}`)];

export const incidentPk = (id: string) => `INCIDENT#${id}`;
export const approvalPk = (id: string) => `APPROVAL#${id}`;
export const exceptionSk = (id: string) => `${EXCEPTION_SK_PREFIX}${id}`;
export const evidenceSk = (index: number) => `${EVIDENCE_SK_PREFIX}${String(index).padStart(4, "0")}`;
export const listSk = (createdAt: string, id: string) => `${createdAt}#${id}`;
export const statusKey = (status: string) => `STATUS#${status}`;
export const resourceKey = (resource: string) => `RESOURCE#${resource}`;
export const principalKey = (principal: string) => `PRINCIPAL#${principal}`;

/** Attributes every index projects: enough to build an `IncidentSummary` and run `matchesQuery`. */
export const SUMMARY_ATTRIBUTES = [
  "id",
  "detection",
  "category",
  "severity",
  "title",
  "status",
  "version",
  "createdAt",
  "updatedAt",
  "account",
  "region",
  "principal",
  "resource",
  "sourceIp",
  "mode",
  "score",
  "priority",
  "respondedAt",
  "summary",
] as const;

export type IndexName = "byTime" | "byStatus" | "byResource" | "byPrincipal";

/** The GSIs the stack must declare (hash key attribute per index; range key is always `listSk`). */
export const INDEXES: Record<IndexName, { hashKey: string; rangeKey: "listSk"; projection: readonly string[] }> = {
  byTime: { hashKey: "gsi1pk", rangeKey: "listSk", projection: SUMMARY_ATTRIBUTES },
  // Pending approvals share this index; `approval` carries their document.
  byStatus: { hashKey: "gsi2pk", rangeKey: "listSk", projection: [...SUMMARY_ATTRIBUTES, "approval"] },
  byResource: { hashKey: "gsi3pk", rangeKey: "listSk", projection: SUMMARY_ATTRIBUTES },
  byPrincipal: { hashKey: "gsi4pk", rangeKey: "listSk", projection: SUMMARY_ATTRIBUTES },
};
