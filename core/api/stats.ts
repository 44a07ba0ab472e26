import type { StatsResponse } from "../model/api.js";
import { CATEGORIES, SEVERITIES } from "../model/catalog.js";
import type { IncidentSummary } from "../model/incident.js";
import { INCIDENT_STATUSES } from "../model/status.js";

/** Incidents-over-time bucket sizes. */
export type Bucket = "hour" | "day";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Beyond this many buckets, empty ones are not filled in (the chart stays sparse). */
const MAX_FILLED_BUCKETS = 2000;
const TOP = 10;

function countBy<K extends string>(keys: readonly K[], values: K[]): { key: K; count: number }[] {
  const counts = new Map<K, number>(keys.map((key) => [key, 0]));
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return keys.map((key) => ({ key, count: counts.get(key) ?? 0 }));
}

function top(values: string[]): { key: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const value of values) if (value) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, TOP);
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], fraction: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[rank - 1];
}

function timeToRespond(incidents: IncidentSummary[]): StatsResponse["timeToRespond"] {
  const seconds = incidents
    .filter((incident) => incident.respondedAt)
    .map((incident) => (Date.parse(incident.respondedAt!) - Date.parse(incident.createdAt)) / 1000)
    .filter((value) => Number.isFinite(value) && value >= 0)
    .sort((a, b) => a - b);
  if (seconds.length === 0) return { count: 0 };
  const mean = seconds.reduce((sum, value) => sum + value, 0) / seconds.length;
  return { mean: round(mean), p90: round(percentile(seconds, 0.9)!), count: seconds.length };
}

const round = (value: number) => Math.round(value * 1000) / 1000;

function overTime(incidents: IncidentSummary[], bucket: Bucket | undefined): StatsResponse["overTime"] {
  const times = incidents.map((incident) => Date.parse(incident.createdAt)).filter(Number.isFinite);
  if (times.length === 0) return [];
  // A loop, not Math.min(...times): spreading a large array overflows the call stack.
  let first = times[0]!;
  let last = first;
  for (const time of times) {
    if (time < first) first = time;
    if (time > last) last = time;
  }
  const size = (bucket ?? (last - first <= 3 * DAY ? "hour" : "day")) === "hour" ? HOUR : DAY;
  const start = (time: number) => time - (time % size);
  const counts = new Map<number, number>();
  for (const time of times) counts.set(start(time), (counts.get(start(time)) ?? 0) + 1);
  const span = (start(last) - start(first)) / size + 1;
  const keys =
    span <= MAX_FILLED_BUCKETS
      ? Array.from({ length: span }, (_, index) => start(first) + index * size)
      : [...counts.keys()].sort((a, b) => a - b);
  return keys.map((key) => ({ bucket: new Date(key).toISOString(), count: counts.get(key) ?? 0 }));
}

/** Dashboard statistics over a set of incident summaries. */
export function computeStats(incidents: IncidentSummary[], options: { bucket?: Bucket } = {}): StatsResponse {
  return {
    total: incidents.length,
    byStatus: countBy(
      INCIDENT_STATUSES,
      incidents.map((incident) => incident.status),
    ),
    byCategory: countBy(
      CATEGORIES,
      incidents.map((incident) => incident.category),
    ),
    bySeverity: countBy(
      SEVERITIES,
      incidents.map((incident) => incident.severity),
    ),
    timeToRespond: timeToRespond(incidents),
    overTime: overTime(incidents, options.bucket),
    topPrincipals: top(incidents.map((incident) => incident.principal)),
    topResources: top(incidents.map((incident) => incident.resource)),
  };
}
