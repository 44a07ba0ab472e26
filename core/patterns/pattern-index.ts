import type { CompiledPattern, IndexTerm } from "./compile.js";
import { type IndexKey, indexKeysOf, tested } from "./index-key.js";
import { parsePatternIp } from "./ip.js";
import { matches } from "./match.js";
import { foldText, type ValueMatcher } from "./values.js";

/**
 * Many compiled patterns, matched against one event at a time. A pattern's indexable conditions
 * (`indexKeysOf`: a field path with exact values, prefixes, suffixes or case-folded values one of
 * which every matching event holds there), whatever the field (`detail.eventName`, `source`,
 * `detail.userIdentity.type`, a `$or` whose every branch pins something), are looked up, not
 * tested: the pattern is filed under its most selective one, and the next few are gates that the
 * event must also have reached. An event is walked once along the indexed paths, each value there
 * looked up in hash maps; the patterns filed under what it reached, whose gates it reached too
 * (and the few with no indexable condition), are then tested whole with `matches`. The merged
 * list is kept per set of buckets reached, so the cost per event depends on how many patterns can
 * match it, not on how many are registered; the index only ever leaves out patterns that cannot.
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

/**
 * One step of the indexed paths: the lookups for values there, and the steps further down. Every
 * node has every property (undefined when unused), so they share one shape.
 */
interface PathNode {
  children: { key: string; node: PathNode }[];
  /** Exact values (strings that are not IP addresses, numbers, booleans, null). */
  exact: Map<unknown, Bucket> | undefined;
  /** IP address values, by `PatternIp.key` (every spelling of an address has one). */
  ips: Map<string, Bucket> | undefined;
  /** `equals-ignore-case` values, folded. */
  folded: Map<string, Bucket> | undefined;
  prefixes: Affixes | undefined;
  suffixes: Affixes | undefined;
  foldedPrefixes: Affixes | undefined;
  foldedSuffixes: Affixes | undefined;
  /** Operators no lookup finds (`IndexTerm` "test"), one per operator text, run on each value. */
  tests: { test: ValueMatcher; bucket: Bucket }[] | undefined;
  testTexts: Map<string, Bucket> | undefined;
  /** The buckets leaf values met here reached (`lookUp`), kept: events repeat their values. */
  memo: Map<unknown, Bucket[]>;
}

function newNode(): PathNode {
  return {
    children: [],
    exact: undefined,
    ips: undefined,
    folded: undefined,
    prefixes: undefined,
    suffixes: undefined,
    foldedPrefixes: undefined,
    foldedSuffixes: undefined,
    tests: undefined,
    testTexts: undefined,
    memo: new Map(),
  };
}

/** Merged candidate lists, by the ids of the buckets an event reached, in ascending order. */
interface MergedStep {
  next: Map<number, MergedStep>;
  list: number[] | undefined;
}

interface Entry<K> {
  key: K;
  /** Undefined until the index is built, for an entry added with `addLater`. */
  pattern: CompiledPattern | undefined;
  /** What makes the pattern of an entry added with `addLater`, run when the index is built. */
  make?: () => CompiledPattern;
  /** Entries with the same pattern text share a slot: tested once per event. */
  slot: number;
  /** Keys besides the one the entry is filed under: a bucket of each must be reached. */
  gates: Bucket[][];
}

/** Keys after the first that an entry is gated by, at most; and no key this common. */
const MAX_GATES = 3;
const GATE_COST_LIMIT = 0.9;

/** Steps of the merged candidate lists kept (for sets of buckets met before); cleared when full. */
const MERGED_LIMIT = 10_000;
/** Leaf values remembered per path (then forgotten all at once), and the longest text remembered. */
const MEMO_LIMIT = 2048;
const MEMO_TEXT_LIMIT = 128;

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
  private merged: MergedStep = { next: new Map(), list: undefined };
  private mergedSteps = 0;
  private readonly hits: Bucket[] = [];

  get size(): number {
    return this.entries.length;
  }

  /** Register a pattern under `key` (keys need not be unique). */
  add(key: K, pattern: CompiledPattern): void {
    this.entries.push({ key, pattern, slot: this.slotOf(pattern), gates: [] });
    this.root = undefined;
  }

  /**
   * Register under `key` the pattern `make` returns, made and compiled when the index is first
   * used, in registration order with the others: a thread that never matches (`scan`'s engine
   * thread, whose readers match) never pays for it. What `make` throws is thrown by that first use.
   */
  addLater(key: K, make: () => CompiledPattern): void {
    this.entries.push({ key, pattern: undefined, make, slot: -1, gates: [] });
    this.root = undefined;
  }

  /** Make, compile and index every pattern now (what making one throws is thrown here). */
  prepare(): void {
    this.built();
  }

  /** The slot of a pattern's text (new when no entry had that text). */
  private slotOf(pattern: CompiledPattern): number {
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
    return slot;
  }

  /** What the index is made of (tests and benchmarks). */
  stats(): { patterns: number; unindexed: number; paths: number; buckets: number } {
    const root = this.built();
    let paths = 0;
    const count = (node: PathNode) => {
      if (node.exact || node.ips || node.folded || node.prefixes || node.suffixes) paths++;
      else if (node.foldedPrefixes || node.foldedSuffixes || node.tests) paths++;
      for (const step of node.children) count(step.node);
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
        answers[slot] = matches(entry.pattern!, event) ? 1 : 0;
      }
      if (answers[slot] === 1) keys.push(entry.key);
    }
    return keys;
  }

  /** What `match` answers, found by testing every pattern: the reference (tests and benchmarks). */
  matchEach(event: unknown): K[] {
    this.built();
    return this.entries.filter((entry) => matches(entry.pattern!, event)).map((entry) => entry.key);
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
    const generation = this.nextGeneration();
    this.collect(root, event, generation);
    if (hits.length === 0) return this.unindexed;
    // Bucket ids in ascending order name the set reached.
    for (let i = 1; i < hits.length; i++) {
      const hit = hits[i]!;
      let j = i - 1;
      while (j >= 0 && hits[j]!.id > hit.id) {
        hits[j + 1] = hits[j]!;
        j--;
      }
      hits[j + 1] = hit;
    }
    // The merged list of this set of buckets: kept in a tree by bucket id, in ascending order.
    let step = this.merged;
    for (let i = 0; i < hits.length; i++) {
      const id = hits[i]!.id;
      let next = step.next.get(id);
      if (!next) {
        if (this.mergedSteps >= MERGED_LIMIT) {
          this.merged = { next: new Map(), list: undefined };
          this.mergedSteps = 0;
          return this.candidates(event);
        }
        next = { next: new Map(), list: undefined };
        step.next.set(id, next);
        this.mergedSteps++;
      }
      step = next;
    }
    step.list ??= this.merge(generation);
    return step.list;
  }

  /** The unindexed entries and those filed under a bucket reached whose every gate was reached. */
  private merge(generation: number): number[] {
    const union = new Set<number>(this.unindexed);
    for (const hit of this.hits) {
      for (const index of hit.entries) {
        if (union.has(index)) continue;
        const gates = this.entries[index]!.gates;
        if (gates.every((gate) => gate.some((bucket) => bucket.seen === generation))) union.add(index);
      }
    }
    return [...union].sort((a, b) => a - b);
  }

  /** The buckets `value` (at `node`'s path) reaches, added to `hits`; arrays are flattened. */
  private collect(node: PathNode, value: unknown, generation: number): void {
    if (value === undefined) return;
    if (typeof value === "object" && value !== null) {
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) this.collect(node, value[i], generation);
        return;
      }
      // Inherited members may be reached too (never own JSON values): more candidates, never fewer.
      const children = node.children;
      for (let i = 0; i < children.length; i++) {
        const step = children[i]!;
        const member = (value as Record<string, unknown>)[step.key];
        if (member !== undefined && typeof member !== "function") this.collect(step.node, member, generation);
      }
      return;
    }
    const memo = node.memo;
    let found = memo.get(value);
    if (found === undefined) {
      found = lookUp(node, value);
      if (typeof value !== "string" || value.length <= MEMO_TEXT_LIMIT) {
        if (memo.size >= MEMO_LIMIT) memo.clear();
        memo.set(value, found);
      }
    }
    for (let i = 0; i < found.length; i++) this.hit(found[i]!, generation);
  }

  private hit(bucket: Bucket, generation: number): void {
    if (bucket.seen === generation) return;
    bucket.seen = generation;
    this.hits.push(bucket);
  }

  private built(): PathNode {
    if (!this.root) this.build();
    return this.root!;
  }

  /** Files every entry under its cheapest key, gated by the next ones (or in `unindexed`). */
  private build(): void {
    for (const entry of this.entries) {
      if (entry.pattern) continue;
      const pattern = entry.make!();
      entry.pattern = pattern;
      entry.slot = this.slotOf(pattern);
      entry.make = undefined;
    }
    const root = newNode();
    const buckets: Bucket[] = [];
    const unindexed: number[] = [];
    const bucketsOf = (key: IndexKey): Bucket[] => {
      const found: Bucket[] = [];
      for (const { path, term } of key.atoms) {
        const bucket = bucketFor(nodeAt(root, path), term, buckets);
        if (!found.includes(bucket)) found.push(bucket);
      }
      return found;
    };
    // Entries sharing a pattern text share its keys (found once).
    const keysBySlot = new Map<number, IndexKey[]>();
    this.entries.forEach((entry, index) => {
      let keys = keysBySlot.get(entry.slot);
      if (!keys) {
        keys = indexKeysOf(entry.pattern!.root);
        keysBySlot.set(entry.slot, keys);
      }
      const [filed, ...rest] = keys;
      if (!filed) {
        entry.gates = [];
        unindexed.push(index);
        return;
      }
      for (const bucket of bucketsOf(filed)) bucket.entries.push(index);
      entry.gates = rest
        .filter((key) => key.cost < GATE_COST_LIMIT && !tested(key))
        .slice(0, MAX_GATES)
        .map(bucketsOf);
    });
    this.root = root;
    this.buckets = buckets;
    this.unindexed = unindexed;
    this.merged = { next: new Map(), list: undefined };
    this.mergedSteps = 0;
  }
}

/** The bucket of `term` at `node`, made when new. */
function bucketFor(node: PathNode, term: IndexTerm, buckets: Bucket[]): Bucket {
  switch (term.kind) {
    case "exact": {
      const ip = typeof term.value === "string" ? parsePatternIp(term.value) : undefined;
      if (ip) {
        node.ips ??= new Map();
        return bucketIn(node.ips, ip.key, buckets);
      }
      node.exact ??= new Map();
      return bucketIn(node.exact, term.value, buckets);
    }
    case "folded":
      node.folded ??= new Map();
      return bucketIn(node.folded, term.text, buckets);
    case "test": {
      node.testTexts ??= new Map();
      node.tests ??= [];
      const known = node.testTexts.get(term.text);
      if (known) return known;
      const bucket = bucketIn(node.testTexts, term.text, buckets);
      node.tests.push({ test: term.test, bucket });
      return bucket;
    }
    case "prefix":
    case "suffix": {
      const side =
        term.kind === "prefix"
          ? term.folded
            ? "foldedPrefixes"
            : "prefixes"
          : term.folded
            ? "foldedSuffixes"
            : "suffixes";
      const affixes = node[side] ?? newAffixes();
      node[side] = affixes;
      return affixBucket(affixes, term.text, buckets);
    }
  }
}

/** The buckets a leaf value at `node` reaches (each lookup and test of the node, once). */
function lookUp(node: PathNode, value: unknown): Bucket[] {
  const found: Bucket[] = [];
  const add = (bucket: Bucket | undefined) => {
    if (bucket && !found.includes(bucket)) found.push(bucket);
  };
  if (node.exact) add(node.exact.get(value));
  if (node.tests) for (const { test, bucket } of node.tests) if (test(value)) add(bucket);
  if (typeof value !== "string") return found;
  if (node.ips) add(node.ips.get(parsePatternIp(value)?.key ?? ""));
  const affixes = (affixes: Affixes | undefined, text: string, prefix: boolean) => {
    if (!affixes) return;
    for (const length of affixes.lengths) {
      if (length > text.length) break;
      add(affixes.byText.get(prefix ? text.slice(0, length) : text.slice(text.length - length)));
    }
  };
  affixes(node.prefixes, value, true);
  affixes(node.suffixes, value, false);
  if (node.folded || node.foldedPrefixes || node.foldedSuffixes) {
    const folded = foldText(value);
    add(node.folded?.get(folded));
    affixes(node.foldedPrefixes, folded, true);
    affixes(node.foldedSuffixes, folded, false);
  }
  return found;
}

function nodeAt(root: PathNode, path: readonly string[]): PathNode {
  let node = root;
  for (const key of path) {
    let child = node.children.find((step) => step.key === key)?.node;
    if (!child) {
      child = newNode();
      node.children.push({ key, node: child });
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
