import { INCIDENT_SK, INDEXES, type IndexName } from "../core/store/dynamodb/keys.js";

/**
 * The incident table as `sst.aws.Dynamo` arguments, derived from the store's own key layout
 * (`INDEXES`) so the deployed table cannot drift from what `DynamoStore` queries: string keys
 * `pk`/`sk`, four GSIs ranged by `listSk` projecting the summary attributes, TTL on `expiresAt`
 * (correlation state, approvals, connections and ledger entries expire by it) and a
 * NEW_AND_OLD_IMAGES stream for the live broadcast.
 */

export interface IncidentTableArgs {
  fields: Record<string, "string">;
  primaryIndex: { hashKey: "pk"; rangeKey: "sk" };
  globalIndexes: Record<IndexName, { hashKey: string; rangeKey: string; projection: string[] }>;
  stream: "new-and-old-images";
  ttl: "expiresAt";
}

export function incidentTableArgs(): IncidentTableArgs {
  const names = Object.keys(INDEXES) as IndexName[];
  const keys = new Set(["pk", "sk", ...names.flatMap((name) => [INDEXES[name].hashKey, INDEXES[name].rangeKey])]);
  return {
    fields: Object.fromEntries([...keys].map((key) => [key, "string" as const])),
    primaryIndex: { hashKey: "pk", rangeKey: "sk" },
    globalIndexes: Object.fromEntries(
      names.map((name) => [
        name,
        { hashKey: INDEXES[name].hashKey, rangeKey: INDEXES[name].rangeKey, projection: [...INDEXES[name].projection] },
      ]),
    ) as IncidentTableArgs["globalIndexes"],
    stream: "new-and-old-images",
    ttl: "expiresAt",
  };
}

/**
 * The stream filter for the broadcast function: only incident items (`sk = INCIDENT`) become live
 * messages, so audit, approval, correlation and ledger writes never invoke it.
 */
export const INCIDENT_STREAM_FILTER = { dynamodb: { Keys: { sk: { S: [INCIDENT_SK] } } } };
