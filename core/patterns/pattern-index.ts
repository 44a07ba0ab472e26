import type { CompiledPattern, FieldCondition, ObjectCondition } from "./compile.js";
import { parsePatternIp } from "./ip.js";
import { matches } from "./match.js";

/**
 * Many compiled patterns, matched against one event at a time. Patterns that pin `source` and
 * `detail.eventName` to exact strings (every CloudTrail detection does) are bucketed by those
 * values, so an event is only tested against the few patterns that can match it: the cost per
 * event depends on the bucket size, not on how many patterns are registered.
 */
const NO_NAME = Symbol("no eventName");
/** The bucket of a source's patterns that do not pin eventName; `bucketKey` never yields it. */
const ANY_NAME = "\0*";

/**
 * The bucket key of an exact value. `matches()` compares IP addresses by value (`2001:DB8::1`
 * equals `2001:db8:0::1`), so the index must too, or it would drop a pattern that matches: an
 * address is keyed by family and value behind a NUL; a string that itself starts with a NUL is
 * escaped with a second one, so no two different values share a key.
 */
function bucketKey(text: string): string {
  const ip = parsePatternIp(text);
  if (ip) return `\0ip${ip.version}:${ip.value.toString(16)}`;
  return text.startsWith("\0") ? `\0${text}` : text;
}

export class PatternIndex<K> {
  private readonly entries: { key: K; pattern: CompiledPattern }[] = [];
  /** source → eventName → entry indexes (by `bucketKey`); `ANY_NAME` holds those with no eventName pin. */
  private readonly bySource = new Map<string, Map<string, number[]>>();
  /**
   * eventName → entry indexes of patterns that pin eventName but not source exactly (a user's rule
   * about a call whatever the service, `source: [{ prefix: "aws." }]`): tested only on that name.
   */
  private readonly byNameOnly = new Map<string, number[]>();
  private readonly unindexed: number[] = [];

  get size(): number {
    return this.entries.length;
  }

  /** Register a pattern under `key` (keys need not be unique). */
  add(key: K, pattern: CompiledPattern): void {
    this.merged.clear();
    this.mergedLists = 0;
    const index = this.entries.push({ key, pattern }) - 1;
    const sources = exactValues(pattern.root, ["source"])?.map(bucketKey);
    if (!sources) {
      const names = exactValues(pattern.root, ["detail", "eventName"])?.map(bucketKey);
      if (!names) {
        this.unindexed.push(index);
        return;
      }
      for (const name of names) {
        const bucket = this.byNameOnly.get(name);
        if (bucket) bucket.push(index);
        else this.byNameOnly.set(name, [index]);
      }
      return;
    }
    const eventNames = exactValues(pattern.root, ["detail", "eventName"])?.map(bucketKey) ?? [ANY_NAME];
    for (const source of sources) {
      let byName = this.bySource.get(source);
      if (!byName) {
        byName = new Map();
        this.bySource.set(source, byName);
      }
      for (const name of eventNames) {
        const bucket = byName.get(name);
        if (bucket) bucket.push(index);
        else byName.set(name, [index]);
      }
    }
  }

  /** How many patterns `match` would test against `event` (tests and benchmarks). */
  candidateCount(event: unknown): number {
    return this.candidates(event).length;
  }

  /** The keys of every pattern that matches `event`, in registration order. */
  match(event: unknown): K[] {
    const candidates = this.candidates(event);
    const keys: K[] = [];
    for (let i = 0; i < candidates.length; i++) {
      const entry = this.entries[candidates[i]!]!;
      if (matches(entry.pattern, event)) keys.push(entry.key);
    }
    return keys;
  }

  /**
   * Candidate lists for plain CloudTrail-shaped events, by source then eventName (`NO_NAME` for
   * none); bounded in size.
   */
  private readonly merged = new Map<string, Map<string | typeof NO_NAME, number[]>>();
  private mergedLists = 0;

  /** Entry indexes worth testing against `event` (a superset of the matches). */
  private candidates(event: unknown): number[] {
    const record = event as { source?: unknown; detail?: { eventName?: unknown } } | null;
    const source = record?.source;
    const detail = record?.detail;
    const name = typeof detail === "object" && detail !== null && !Array.isArray(detail) ? detail.eventName : undefined;
    if (typeof source !== "string" || Array.isArray(detail) || (name !== undefined && typeof name !== "string")) {
      return this.computeCandidates(event);
    }
    let byName = this.merged.get(source);
    const key = name ?? NO_NAME;
    let list = byName?.get(key);
    if (!list) {
      list = this.computeCandidates(event);
      if (this.mergedLists >= 10_000) {
        this.merged.clear();
        this.mergedLists = 0;
        byName = undefined;
      }
      if (!byName) {
        byName = new Map();
        this.merged.set(source, byName);
      }
      byName.set(key, list);
      this.mergedLists++;
    }
    return list;
  }

  private computeCandidates(event: unknown): number[] {
    const record = (typeof event === "object" && event !== null ? event : {}) as Record<string, unknown>;
    const lists: number[][] = [this.unindexed];
    if (this.byNameOnly.size > 0) {
      const detail = record.detail;
      if (Array.isArray(detail)) lists.push(...this.byNameOnly.values());
      else {
        const eventName =
          typeof detail === "object" && detail !== null ? (detail as Record<string, unknown>).eventName : undefined;
        for (const name of stringsIn(eventName)) {
          const named = this.byNameOnly.get(bucketKey(name));
          if (named) lists.push(named);
        }
      }
    }
    for (const source of stringsIn(record.source)) {
      const byName = this.bySource.get(bucketKey(source));
      if (!byName) continue;
      const detail = record.detail;
      if (Array.isArray(detail)) {
        // Unusual shape: names may hide in any element, so every pattern of the source is a candidate.
        lists.push(...byName.values());
        continue;
      }
      const eventName =
        typeof detail === "object" && detail !== null ? (detail as Record<string, unknown>).eventName : undefined;
      for (const name of stringsIn(eventName)) {
        const named = byName.get(bucketKey(name));
        if (named) lists.push(named);
      }
      const any = byName.get(ANY_NAME);
      if (any) lists.push(any);
    }
    const nonEmpty = lists.filter((list) => list.length > 0);
    if (nonEmpty.length <= 1) return nonEmpty[0] ?? [];
    return [...new Set(nonEmpty.flat())].sort((a, b) => a - b);
  }
}

/** The strings a field holds: itself, or the strings of an array (flattened). */
function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flat(Number.POSITIVE_INFINITY).filter((item) => typeof item === "string");
  return [];
}

/**
 * The exact strings a pattern requires at `path`, when every way of matching the pattern requires
 * one of them there; undefined when the pattern does not pin the field (or pins it only inside a
 * `$or`, or with other operators).
 */
function exactValues(root: ObjectCondition, path: readonly string[]): string[] | undefined {
  let condition: ObjectCondition | undefined = root;
  for (let depth = 0; depth < path.length; depth++) {
    const key = path[depth]!;
    const field: FieldCondition | undefined = condition?.fields.find((candidate) => candidate.key === key);
    if (!field) return undefined;
    if (depth === path.length - 1) {
      if (!field.leaf?.exactStrings || field.leaf.absent) return undefined;
      return field.leaf.exactStrings;
    }
    condition = field.child;
  }
  return undefined;
}
