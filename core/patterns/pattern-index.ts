import type { CompiledPattern } from "./compile.js";
import { type IndexKey, indexKeyOf } from "./index-key.js";
import { parsePatternIp } from "./ip.js";
import { matches } from "./match.js";
import { foldText } from "./values.js";

/**
 * Many compiled patterns, matched against one event at a time. Each pattern is filed under its
 * most selective indexable condition (`indexKeyOf`: a field path with the exact values, prefixes,
 * suffixes or case-folded values one of which any matching event holds there), whatever the
 * field: `detail.eventName`, `source`, `detail.userIdentity.type`, a `$or` whose every branch
 * pins something. An event is walked once along the paths the patterns are filed under, each of
 * its values there looked up in hash maps, and only the patterns found (and the few with no
 * indexable condition at all) are tested, so the cost per event depends on how many patterns can
 * match it, not on how many are registered. The index only ever leaves out patterns that cannot
 * match: every candidate is then tested whole with `matches`.
 */

/** The patterns filed under one value (or prefix, suffix…) of one path. */
interface Bucket {
  id: number;
  entries: number[];
  /** The `generation` of the event that last reached it (each counted once per event). */
  seen: number;
}

/** Prefixes (or suffixes) of one path, with the lengths to cut event values at. */
interface Affixes {
  byText: Map<string, Bucket>;
  lengths: number[];
}

/** One step of the indexed paths: the lookups for values there, and the steps further down. */
interface PathNode {
  children: [string, PathNode][];
  /** Exact values (strings that are not IP addresses, numbers, booleans, null). */
  exact?: Map<unknown, Bucket>;
  /** IP address values, by `ipKey` (every spelling of an address is one key). */
  ips?: Map<string, Bucket>;
  /** `equals-ignore-case` values, folded. */
  folded?: Map<string, Bucket>;
  prefixes?: Affixes;
  suffixes?: Affixes;
  foldedPrefixes?: Affixes;
  foldedSuffixes?: Affixes;
}

interface Entry<K> {
  key: K;
  pattern: CompiledPattern;
  /** Entries with the same pattern text share a slot: tested once per event. */
  slot: number;
}

const hasOwn = Object.prototype.hasOwnProperty;
/** Merged candidate lists kept for combinations of buckets met before; cleared when full. */
const MERGED_LIMIT = 10_000;

export class PatternIndex<K> {
  private readonly entries: Entry<K>[] = [];
  private readonly slots = new Map<string, number>();
  private slotGeneration = new Uint32Array(16);
  private slotAnswer = new Uint8Array(16);
  private generation = 0;

  /** Built on first use after an `add` (see `build`). */
  private root: PathNode | undefined;
  private buckets: Bucket[] = [];
  /** Entries with no indexable condition: candidates for every event. */
  private unindexed: number[] = [];
  private merged = new Map<string, number[]>();
  private readonly hits: Bucket[] = [];

  get size(): number {
    return this.entries.length;
  }

  /** Register a pattern under `key` (keys need not be unique). */
  add(key: K, pattern: CompiledPattern): void {
    const text = JSON.stringify(pattern.source);
    let slot = this.slots.get(text);
    if (slot === undefined) {
      slot = this.slots.size;
      this.slots.set(text, slot);
      if (slot >= this.slotGeneration.length) {
        const generation = new Uint32Array(this.slotGeneration.length * 2);
        generation.set(this.slotGeneration);
        this.slotGeneration = generation;
        const answer = new Uint8Array(this.slotAnswer.length * 2);
        answer.set(this.slotAnswer);
        this.slotAnswer = answer;
      }
    }
    this.entries.push({ key, pattern, slot });
    this.root = undefined;
  }

  /** What the index is made of (tests and benchmarks). */
  stats(): { patterns: number; unindexed: number; paths: number; buckets: number } {
    const root = this.built();
    let paths = 0;
    const count = (node: PathNode) => {
      if (node.exact || node.ips || node.folded || node.prefixes || node.suffixes) paths++;
      if (node.foldedPrefixes || node.foldedSuffixes) paths++;
      for (const [, child] of node.children) count(child);
    };
    count(root);
    return { patterns: this.entries.length, unindexed: this.unindexed.length, paths, buckets: this.buckets.length };
  }

  /** How many patterns `match` would test against `event` (tests and benchmarks). */
  candidateCount(event: unknown): number {
    return this.candidates(event).length;
  }

  /** How many distinct patterns `match` would test against `event` (tests and benchmarks). */
  testedCount(event: unknown): number {
    return new Set(this.candidates(event).map((index) => this.entries[index]!.slot)).size;
  }

  /** The keys of every pattern that matches `event`, in registration order. */
  match(event: unknown): K[] {
    const candidates = this.candidates(event);
    const keys: K[] = [];
    if (candidates.length === 0) return keys;
    const generation = this.nextGeneration();
    const seen = this.slotGeneration;
    const answers = this.slotAnswer;
    for (let i = 0; i < candidates.length; i++) {
      const entry = this.entries[candidates[i]!]!;
      const slot = entry.slot;
      if (seen[slot] !== generation) {
        seen[slot] = generation;
        answers[slot] = matches(entry.pattern, event) ? 1 : 0;
      }
      if (answers[slot] === 1) keys.push(entry.key);
    }
    return keys;
  }

  private nextGeneration(): number {
    if (this.generation >= 0xfffffffe) {
      this.slotGeneration.fill(0);
      for (const bucket of this.buckets) bucket.seen = 0;
      this.generation = 0;
    }
    return ++this.generation;
  }

  /** Entry indexes worth testing against `event`, in registration order: a superset of the matches. */
  private candidates(event: unknown): number[] {
    const root = this.built();
    const hits = this.hits;
    hits.length = 0;
    this.collect(root, event, this.nextGeneration());
    if (hits.length === 0) return this.unindexed;
    if (hits.length === 1 && this.unindexed.length === 0) return hits[0]!.entries;
    // Bucket ids in ascending order name the combination.
    for (let i = 1; i < hits.length; i++) {
      const hit = hits[i]!;
      let j = i - 1;
      while (j >= 0 && hits[j]!.id > hit.id) {
        hits[j + 1] = hits[j]!;
        j--;
      }
      hits[j + 1] = hit;
    }
    let name = `${hits[0]!.id}`;
    for (let i = 1; i < hits.length; i++) name += `,${hits[i]!.id}`;
    let list = this.merged.get(name);
    if (!list) {
      const union = new Set<number>(this.unindexed);
      for (const hit of hits) for (const index of hit.entries) union.add(index);
      list = [...union].sort((a, b) => a - b);
      if (this.merged.size >= MERGED_LIMIT) this.merged.clear();
      this.merged.set(name, list);
    }
    return list;
  }

  /** The buckets `value` (at `node`'s path) reaches, added to `hits`; arrays are flattened. */
  private collect(node: PathNode, value: unknown, generation: number): void {
    if (value === undefined) return;
    if (typeof value === "object" && value !== null) {
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) this.collect(node, value[i], generation);
        return;
      }
      const children = node.children;
      for (let i = 0; i < children.length; i++) {
        const [key, child] = children[i]!;
        if (hasOwn.call(value, key)) this.collect(child, (value as Record<string, unknown>)[key], generation);
      }
      return;
    }
    if (node.exact) this.hit(node.exact.get(value), generation);
    if (typeof value !== "string") return;
    if (node.ips) {
      const ip = parsePatternIp(value);
      if (ip) this.hit(node.ips.get(ipKey(ip.version, ip.value)), generation);
    }
    if (node.prefixes) this.affixes(node.prefixes, value, true, generation);
    if (node.suffixes) this.affixes(node.suffixes, value, false, generation);
    if (node.folded || node.foldedPrefixes || node.foldedSuffixes) {
      const folded = foldText(value);
      if (node.folded) this.hit(node.folded.get(folded), generation);
      if (node.foldedPrefixes) this.affixes(node.foldedPrefixes, folded, true, generation);
      if (node.foldedSuffixes) this.affixes(node.foldedSuffixes, folded, false, generation);
    }
  }

  private affixes(affixes: Affixes, value: string, prefix: boolean, generation: number): void {
    const lengths = affixes.lengths;
    for (let i = 0; i < lengths.length; i++) {
      const length = lengths[i]!;
      if (length > value.length) break;
      const part = prefix ? value.slice(0, length) : value.slice(value.length - length);
      this.hit(affixes.byText.get(part), generation);
    }
  }

  private hit(bucket: Bucket | undefined, generation: number): void {
    if (bucket === undefined || bucket.seen === generation) return;
    bucket.seen = generation;
    this.hits.push(bucket);
  }

  private built(): PathNode {
    if (!this.root) this.build();
    return this.root!;
  }

  /** Files every entry under its `indexKeyOf`, or in `unindexed`. */
  private build(): void {
    const root: PathNode = { children: [] };
    const buckets: Bucket[] = [];
    const unindexed: number[] = [];
    const keys = new Map<string, IndexKey | undefined>();
    this.entries.forEach((entry, index) => {
      // Entries sharing a pattern text share its key (computed once).
      const text = `${entry.slot}`;
      let key = keys.get(text);
      if (!keys.has(text)) {
        key = indexKeyOf(entry.pattern.root);
        keys.set(text, key);
      }
      if (!key) {
        unindexed.push(index);
        return;
      }
      for (const { path, term } of key.atoms) {
        const node = nodeAt(root, path);
        let bucket: Bucket;
        switch (term.kind) {
          case "exact": {
            const ip = typeof term.value === "string" ? parsePatternIp(term.value) : undefined;
            bucket = ip
              ? bucketIn((node.ips ??= new Map()), ipKey(ip.version, ip.value), buckets)
              : bucketIn((node.exact ??= new Map()), term.value, buckets);
            break;
          }
          case "folded":
            bucket = bucketIn((node.folded ??= new Map()), term.text, buckets);
            break;
          case "prefix":
            bucket = affixBucket(
              term.folded ? (node.foldedPrefixes ??= newAffixes()) : (node.prefixes ??= newAffixes()),
              term.text,
              buckets,
            );
            break;
          case "suffix":
            bucket = affixBucket(
              term.folded ? (node.foldedSuffixes ??= newAffixes()) : (node.suffixes ??= newAffixes()),
              term.text,
              buckets,
            );
            break;
        }
        // A key's atoms may share a bucket (`["a", "A"]` folded): the entry is listed once.
        if (bucket.entries[bucket.entries.length - 1] !== index) bucket.entries.push(index);
      }
    });
    this.root = root;
    this.buckets = buckets;
    this.unindexed = unindexed;
    this.merged = new Map();
  }
}

/** The key of an IP address value: every spelling of one address has the same. */
function ipKey(version: 4 | 6, value: bigint): string {
  return `${version}:${value.toString(16)}`;
}

function nodeAt(root: PathNode, path: readonly string[]): PathNode {
  let node = root;
  for (const key of path) {
    let child = node.children.find(([name]) => name === key)?.[1];
    if (!child) {
      child = { children: [] };
      node.children.push([key, child]);
    }
    node = child;
  }
  return node;
}

function bucketIn<V>(map: Map<V, Bucket>, value: V, buckets: Bucket[]): Bucket {
  let bucket = map.get(value);
  if (!bucket) {
    bucket = { id: buckets.length, entries: [], seen: 0 };
    buckets.push(bucket);
    map.set(value, bucket);
  }
  return bucket;
}

function newAffixes(): Affixes {
  return { byText: new Map(), lengths: [] };
}

function affixBucket(affixes: Affixes, text: string, buckets: Bucket[]): Bucket {
  if (!affixes.lengths.includes(text.length)) {
    affixes.lengths.push(text.length);
    affixes.lengths.sort((a, b) => a - b);
  }
  return bucketIn(affixes.byText, text, buckets);
}
