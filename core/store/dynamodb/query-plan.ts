import type { CursorPosition } from "../cursor.js";
import type { IncidentQuery } from "../ports.js";
import {
  ALL_INCIDENTS,
  INDEXES,
  type IndexName,
  listSk,
  principalKey,
  resourceKey,
  shardPartitions,
  statusKey,
} from "./keys.js";

/**
 * How one `listIncidents` query runs on DynamoDB: the most selective index, a key condition on
 * `listSk` for the time bounds and the cursor, and a filter for the rest. `matchesQuery` still
 * has the last word on every item, so the plan only has to select a superset. The incident
 * indexes are sharded (`keys.ts`): the plan names every partition to read, each with the same
 * condition (`:pk` is the partition), and the store merges them.
 */
export interface QueryPlan {
  indexName: IndexName;
  partitions: string[];
  keyCondition: string;
  filter?: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/** Sorts after every character, so `<until>` + this bounds every sort key of that instant. */
const MAX_CHAR = "\u{10FFFF}";

/** The plan, or undefined when the bounds leave nothing to read. */
export function planQuery(query: IncidentQuery, after?: CursorPosition): QueryPlan | undefined {
  const names: Record<string, string> = { "#sk": "listSk" };
  const values: Record<string, unknown> = {};
  const filters: string[] = [];
  const inFilter = (attribute: string, list: readonly string[] | undefined) => {
    if (!list?.length) return;
    names[`#${attribute}`] = attribute;
    const placeholders = list.map((value, index) => {
      values[`:${attribute}${index}`] = value;
      return `:${attribute}${index}`;
    });
    filters.push(`#${attribute} IN (${placeholders.join(", ")})`);
  };
  const equalFilter = (attribute: string, value: string | undefined) => {
    if (value === undefined) return;
    names[`#${attribute}`] = attribute;
    values[`:${attribute}`] = value;
    filters.push(`#${attribute} = :${attribute}`);
  };

  let indexName: IndexName;
  let partitions: string[];
  if (query.resource) {
    indexName = "byResource";
    partitions = shardPartitions(resourceKey(query.resource));
  } else if (query.principal) {
    indexName = "byPrincipal";
    partitions = shardPartitions(principalKey(query.principal));
  } else if (query.status?.length === 1) {
    indexName = "byStatus";
    partitions = shardPartitions(statusKey(query.status[0]!));
  } else {
    indexName = "byTime";
    partitions = shardPartitions(ALL_INCIDENTS);
  }
  if (indexName !== "byStatus") inFilter("status", query.status);
  inFilter("category", query.category);
  inFilter("severity", query.severity);
  // An empty resource or principal is never indexed (sparse indexes): filter for it instead.
  if (indexName !== "byResource") equalFilter("resource", query.resource);
  if (indexName !== "byPrincipal") equalFilter("principal", query.principal);

  const lower = query.since || undefined;
  const upperBounds = [
    ...(query.until ? [`${query.until}${MAX_CHAR}`] : []),
    // Inclusive of the cursor's own key: the caller skips that one item.
    ...(after ? [listSk(after.createdAt, after.id)] : []),
  ].sort();
  const upper = upperBounds[0];
  names["#pk"] = INDEXES[indexName].hashKey;
  let keyCondition = "#pk = :pk";
  if (lower !== undefined && upper !== undefined) {
    if (lower > upper) return undefined;
    keyCondition += " AND #sk BETWEEN :lower AND :upper";
    Object.assign(values, { ":lower": lower, ":upper": upper });
  } else if (lower !== undefined) {
    keyCondition += " AND #sk >= :lower";
    values[":lower"] = lower;
  } else if (upper !== undefined) {
    keyCondition += " AND #sk <= :upper";
    values[":upper"] = upper;
  } else {
    delete names["#sk"];
  }
  return {
    indexName,
    partitions,
    keyCondition,
    filter: filters.length ? filters.join(" AND ") : undefined,
    names,
    values,
  };
}
