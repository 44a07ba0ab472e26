import type { CompiledPattern, FieldCondition, ObjectCondition } from "./compile.js";
import { expandAlternatives } from "./expand.js";
import { parsePatternIp } from "./ip.js";
import { matches } from "./match.js";

/**
 * Many compiled patterns, matched against one event at a time. Patterns that pin `source` and
 * `detail.eventName` to exact strings (every CloudTrail detection does) are bucketed by those
 * values, so an event is only tested against the few patterns that can match it: the cost per
 * event depends on the bucket size, not on how many patterns are registered. A CloudTrail-shaped
 * event reached through its buckets is then tested against each candidate's rest (`Residual`):
 * what its bucket already decided is not tested again, and candidates whose rests are the same
 * (many rules pin one call and test the rest in code) are tested once per event.
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

/**
 * What is left of a pattern to test on a CloudTrail-shaped event (a string `source`, an object
 * `detail` with a string `eventName` or none) that its buckets led to: the pattern without the
 * exact `source` and `detail.eventName` it was bucketed by, since the bucket matched them already
 * (`bucketKey` equality is `exactMatcher` equality, IP spellings included; neither field sits in
 * an array there, so no other field's array consistency depends on them). `pattern` undefined:
 * nothing is left, every such event matches. `slot`: the same for patterns whose rest is the same.
 */
interface Residual {
  pattern: CompiledPattern | undefined;
  slot: number;
}

export class PatternIndex<K> {
  private readonly entries: { key: K; pattern: CompiledPattern; residual: Residual }[] = [];
  /** Residual slots by the rest's JSON text. */
  private readonly slots = new Map<string, Residual>();
  /** Per slot, the `generation` it was last tested in and its answer then (see `match`). */
  private slotGeneration = new Uint32Array(16);
  private slotAnswer = new Uint8Array(16);
  private generation = 0;
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
    const pinnedSources = exactValues(pattern.root, ["source"]);
    const pinnedNames = exactValues(pattern.root, ["detail", "eventName"]);
    const index =
      this.entries.push({
        key,
        pattern,
        residual: this.residualOf(pattern, pinnedSources !== undefined, pinnedNames !== undefined),
      }) - 1;
    const sources = pinnedSources?.map(bucketKey);
    const indexedNames = (pinnedNames ?? namesOfEveryBranch(pattern.root))?.map(bucketKey);
    if (!sources) {
      const names = indexedNames;
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
    const eventNames = indexedNames ?? [ANY_NAME];
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

  /** See `Residual`: the pattern without the pinned `source` (`withoutSource`) and `detail.eventName`. */
  private residualOf(pattern: CompiledPattern, withoutSource: boolean, withoutName: boolean): Residual {
    // The rest's text names its slot; its tree is the pattern's own, those fields left out (no
    // copy, no second compilation: this runs for every pattern at start-up).
    const rest: Record<string, unknown> = { ...pattern.source };
    let fields = pattern.root.fields;
    if (withoutSource) {
      delete rest.source;
      fields = fields.filter((field) => field.key !== "source");
    }
    if (withoutName) {
      const { eventName: _pinned, ...detail } = rest.detail as Record<string, unknown>;
      if (Object.keys(detail).length === 0) delete rest.detail;
      else rest.detail = detail;
      fields = fields.flatMap((field): FieldCondition[] => {
        if (field.key !== "detail" || !field.child) return [field];
        const { child } = field;
        const kept = child.fields.filter((inner) => inner.key !== "eventName");
        return kept.length === 0 && child.ors.length === 0
          ? []
          : [{ ...field, child: { fields: kept, ors: child.ors } }];
      });
    }
    let text = JSON.stringify(rest);
    let residual = this.slots.get(text);
    if (!residual) {
      let compiled: CompiledPattern | undefined;
      const root: ObjectCondition = { fields, ors: pattern.root.ors };
      try {
        compiled =
          fields.length === 0 && root.ors.length === 0
            ? undefined
            : { root, alternatives: expandAlternatives(root), source: rest };
      } catch {
        // Not expected (a part of a valid pattern); the whole pattern is always right to test.
        compiled = pattern;
        text = `\0${this.slots.size}`;
      }
      residual = { pattern: compiled, slot: this.slots.size };
      this.slots.set(text, residual);
      if (residual.slot >= this.slotGeneration.length) {
        const generation = new Uint32Array(this.slotGeneration.length * 2);
        generation.set(this.slotGeneration);
        this.slotGeneration = generation;
        const answer = new Uint8Array(this.slotAnswer.length * 2);
        answer.set(this.slotAnswer);
        this.slotAnswer = answer;
      }
    }
    return residual;
  }

  /** How many patterns `match` would test against `event` (tests and benchmarks). */
  candidateCount(event: unknown): number {
    return this.candidates(event)?.length ?? this.computeCandidates(event).length;
  }

  /** How many distinct patterns `match` would test against `event` (tests and benchmarks). */
  testedCount(event: unknown): number {
    const candidates = this.candidates(event);
    if (!candidates) return this.computeCandidates(event).length;
    const slots = new Set<number>();
    for (const index of candidates) {
      const residual = this.entries[index]!.residual;
      if (residual.pattern) slots.add(residual.slot);
    }
    return slots.size;
  }

  /** The keys of every pattern that matches `event`, in registration order. */
  match(event: unknown): K[] {
    const keys: K[] = [];
    const candidates = this.candidates(event);
    if (!candidates) {
      for (const index of this.computeCandidates(event)) {
        const entry = this.entries[index]!;
        if (matches(entry.pattern, event)) keys.push(entry.key);
      }
      return keys;
    }
    // Each distinct rest once per event: a slot's answer holds for this generation only.
    const generation = ++this.generation;
    if (generation === 0xffffffff) {
      this.slotGeneration.fill(0);
      this.generation = 0;
    }
    const seen = this.slotGeneration;
    const answers = this.slotAnswer;
    for (let i = 0; i < candidates.length; i++) {
      const entry = this.entries[candidates[i]!]!;
      const { pattern, slot } = entry.residual;
      if (!pattern) {
        keys.push(entry.key);
        continue;
      }
      if (seen[slot] !== generation) {
        seen[slot] = generation;
        answers[slot] = matches(pattern, event) ? 1 : 0;
      }
      if (answers[slot] === 1) keys.push(entry.key);
    }
    return keys;
  }

  /**
   * Candidate lists for plain CloudTrail-shaped events, by source then eventName (`NO_NAME` for
   * none); bounded in size.
   */
  private readonly merged = new Map<string, Map<string | typeof NO_NAME, number[]>>();
  private mergedLists = 0;

  /**
   * Entry indexes worth testing against a CloudTrail-shaped `event` (a superset of the matches),
   * which their residuals decide (`Residual`); undefined for any other event.
   */
  private candidates(event: unknown): number[] | undefined {
    const record = event as { source?: unknown; detail?: { eventName?: unknown } } | null;
    const source = record?.source;
    const detail = record?.detail;
    const name = typeof detail === "object" && detail !== null && !Array.isArray(detail) ? detail.eventName : undefined;
    if (typeof source !== "string" || Array.isArray(detail) || (name !== undefined && typeof name !== "string")) {
      return undefined;
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
 * The event names a pattern requires through a `$or` (on the root, or in `detail`) each of whose
 * branches pins `detail.eventName` to exact strings: one of the branches must match, so the
 * event's name is one of theirs. For indexing only; the names stay in the pattern's rest.
 */
function namesOfEveryBranch(root: ObjectCondition): string[] | undefined {
  const detail = root.fields.find((field) => field.key === "detail")?.child;
  const groups: [ObjectCondition[], string[]][] = [
    ...root.ors.map((branches): [ObjectCondition[], string[]] => [branches, ["detail", "eventName"]]),
    ...(detail?.ors ?? []).map((branches): [ObjectCondition[], string[]] => [branches, ["eventName"]]),
  ];
  for (const [branches, path] of groups) {
    const names: string[] = [];
    let everyBranch = true;
    for (const branch of branches) {
      const pinned = exactValues(branch, path);
      if (!pinned) {
        everyBranch = false;
        break;
      }
      names.push(...pinned);
    }
    if (everyBranch && names.length > 0) return [...new Set(names)];
  }
  return undefined;
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
