import { CATEGORIES, type Category, SEVERITIES, type Severity } from "../../../core/model/catalog.js";
import type { IncidentSummary } from "../../../core/model/incident.js";
import { INCIDENT_STATUSES, type IncidentStatus } from "../../../core/model/status.js";

/**
 * The incident list's filters and sort, kept in the URL's search parameters so a filtered view
 * can be bookmarked and shared. Filtering runs in the browser over the synced store: the list
 * stays complete under live updates, and 10,000 incidents filter in a few milliseconds.
 */

export const TIME_RANGES = ["any", "1h", "24h", "7d", "30d", "custom"] as const;
export type TimeRange = (typeof TIME_RANGES)[number];

export const TIME_RANGE_LABELS: Record<TimeRange, string> = {
  any: "Any time",
  "1h": "Last hour",
  "24h": "Last 24 hours",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
  custom: "Custom range",
};

const RANGE_MS: Record<Exclude<TimeRange, "any" | "custom">, number> = {
  "1h": 3_600_000,
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
};

export const SORT_KEYS = ["created", "updated", "severity", "score", "status"] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export const SORT_LABELS: Record<SortKey, string> = {
  created: "Created",
  updated: "Last change",
  severity: "Severity",
  score: "Score",
  status: "Status",
};

export type SortDirection = "asc" | "desc";

export interface IncidentFilter {
  status: IncidentStatus[];
  category: Category[];
  severity: Severity[];
  range: TimeRange;
  /** Custom range bounds (ISO 8601), used when `range` is "custom". */
  since?: string;
  until?: string;
  q: string;
  sort: SortKey;
  direction: SortDirection;
}

export const DEFAULT_FILTER: IncidentFilter = {
  status: [],
  category: [],
  severity: [],
  range: "any",
  q: "",
  sort: "created",
  direction: "desc",
};

type Params = Partial<Record<string, string | string[] | undefined>>;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function listOf<T extends string>(value: string | string[] | undefined, allowed: readonly T[]): T[] {
  const text = first(value);
  if (!text) return [];
  const wanted = new Set(text.split(","));
  // Keep the catalogue's order, drop anything unknown (URLs are user input too).
  return allowed.filter((item) => wanted.has(item));
}

function oneOf<T extends string>(value: string | string[] | undefined, allowed: readonly T[], fallback: T): T {
  const text = first(value);
  return (allowed as readonly string[]).includes(text ?? "") ? (text as T) : fallback;
}

function isoOrUndefined(value: string | string[] | undefined): string | undefined {
  const text = first(value);
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** Read a filter from URL search parameters, ignoring unknown or malformed values. */
export function parseFilter(params: Params): IncidentFilter {
  return {
    status: listOf(params.status, INCIDENT_STATUSES),
    category: listOf(params.category, CATEGORIES),
    severity: listOf(params.severity, SEVERITIES),
    range: oneOf(params.range, TIME_RANGES, "any"),
    since: isoOrUndefined(params.since),
    until: isoOrUndefined(params.until),
    q: first(params.q)?.slice(0, 200) ?? "",
    sort: oneOf(params.sort, SORT_KEYS, "created"),
    direction: oneOf(params.dir, ["asc", "desc"] as const, "desc"),
  };
}

/** The search parameters for a filter; defaults are left out (undefined clears a parameter). */
export function filterToParams(filter: IncidentFilter): Record<string, string | undefined> {
  const list = (values: string[]) => (values.length ? values.join(",") : undefined);
  const custom = filter.range === "custom";
  return {
    status: list(filter.status),
    category: list(filter.category),
    severity: list(filter.severity),
    range: filter.range === "any" ? undefined : filter.range,
    since: custom ? filter.since : undefined,
    until: custom ? filter.until : undefined,
    q: filter.q || undefined,
    sort: filter.sort === "created" ? undefined : filter.sort,
    dir: filter.direction === "desc" ? undefined : filter.direction,
  };
}

/** The creation-time window a filter selects, as ISO bounds. */
export function timeBounds(filter: IncidentFilter, nowMs: number): { since?: string; until?: string } {
  if (filter.range === "any") return {};
  if (filter.range === "custom") return { since: filter.since, until: filter.until };
  return { since: new Date(nowMs - RANGE_MS[filter.range]).toISOString() };
}

/** Whether any filter (not the sort) is set. */
export function isFiltered(filter: IncidentFilter): boolean {
  return (
    filter.status.length > 0 ||
    filter.category.length > 0 ||
    filter.severity.length > 0 ||
    filter.range !== "any" ||
    filter.q.trim() !== ""
  );
}

function textOf(item: IncidentSummary): string[] {
  return [
    item.title,
    item.principal,
    item.resource,
    item.sourceIp ?? "",
    item.id,
    item.detection,
    item.account,
    item.region,
  ];
}

/**
 * Build a predicate for a filter. Sets and the lower-cased needle are prepared once, so the
 * predicate is cheap enough to run over 10,000 incidents on every live update.
 */
export function createMatcher(filter: IncidentFilter, nowMs: number): (item: IncidentSummary) => boolean {
  const statuses = new Set<string>(filter.status);
  const categories = new Set<string>(filter.category);
  const severities = new Set<string>(filter.severity);
  const { since, until } = timeBounds(filter, nowMs);
  const sinceMs = since ? Date.parse(since) : undefined;
  const untilMs = until ? Date.parse(until) : undefined;
  const needle = filter.q.trim().toLowerCase();
  return (item) => {
    if (statuses.size && !statuses.has(item.status)) return false;
    if (categories.size && !categories.has(item.category)) return false;
    if (severities.size && !severities.has(item.severity)) return false;
    if (sinceMs !== undefined || untilMs !== undefined) {
      const created = Date.parse(item.createdAt);
      if (sinceMs !== undefined && !(created >= sinceMs)) return false;
      if (untilMs !== undefined && !(created <= untilMs)) return false;
    }
    if (needle && !textOf(item).some((field) => field.toLowerCase().includes(needle))) return false;
    return true;
  };
}

const SEVERITY_RANK = new Map<string, number>(SEVERITIES.map((severity, index) => [severity, index]));
const STATUS_RANK = new Map<string, number>(INCIDENT_STATUSES.map((status, index) => [status, index]));

type Compare = (a: IncidentSummary, b: IncidentSummary) => number;

const byText = (pick: (item: IncidentSummary) => string): Compare => {
  return (a, b) => {
    const x = pick(a);
    const y = pick(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
};

const COMPARE: Record<SortKey, Compare> = {
  created: byText((item) => item.createdAt),
  updated: byText((item) => item.updatedAt),
  severity: (a, b) => (SEVERITY_RANK.get(a.severity) ?? -1) - (SEVERITY_RANK.get(b.severity) ?? -1),
  score: (a, b) => (a.score ?? -1) - (b.score ?? -1),
  status: (a, b) => (STATUS_RANK.get(a.status) ?? -1) - (STATUS_RANK.get(b.status) ?? -1),
};

const newestFirst = byText((item) => item.createdAt);

/** Sort a copy; ties fall back to newest first, then id, so the order is stable across updates. */
export function sortIncidents(items: readonly IncidentSummary[], key: SortKey, direction: SortDirection) {
  const compare = COMPARE[key];
  const sign = direction === "asc" ? 1 : -1;
  return [...items].sort((a, b) => sign * compare(a, b) || -newestFirst(a, b) || (a.id < b.id ? -1 : 1));
}
