/**
 * Event times as the sources write them: ISO 8601 (`2023-07-10T12:11:57Z`), the space-separated
 * form rule-test fixtures use (`2023-01-10 20:10:41`, `…41.000000000`, read as UTC), or epoch
 * seconds/milliseconds (flow logs, WAF).
 */

const HAS_ZONE = /(?:Z|[+-]\d{2}:?\d{2})$/i;

/** Epoch milliseconds of an event time; undefined when it is not a time. */
export function parseEventTime(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string" || value.length < 10) return undefined;
  const direct = value.length <= 24 && value[10] === "T" && value.endsWith("Z") ? Date.parse(value) : Number.NaN;
  if (!Number.isNaN(direct)) return direct;
  let text = value.trim().replace(" ", "T");
  // Nanosecond fractions are cut to milliseconds, which Date.parse accepts.
  text = text.replace(/(\.\d{3})\d+/, "$1");
  if (!HAS_ZONE.test(text)) text += "Z";
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** ISO 8601 UTC, without a `.000` millisecond part when it is zero. */
export function isoTime(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso;
}
