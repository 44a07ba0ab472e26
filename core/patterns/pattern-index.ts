import type { CompiledPattern } from "./compile.js";
import { type IndexKey, indexKeysOf, tested } from "./index-key.js";
import {
  type Bucket,
  bucketFor,
  countPaths,
  lookUp,
  newNode,
  nodeAt,
  type PathNode,
  presentBucket,
  viewOf,
} from "./index-paths.js";
import { holdsAt, indexProofOf, type ProofField, type ProofPart } from "./index-proof.js";
import { parsePatternIp } from "./ip.js";
import { matches } from "./match.js";

/**
 * Many compiled patterns, matched against one event at a time. A pattern's indexable conditions
 * (`indexKeysOf`: a field path with exact values, prefixes, suffixes or case-folded values one of
 * which every matching event holds there), whatever the field (`detail.eventName`, `source`,
 * `detail.userIdentity.type`, a `$or` whose every branch pins something), are looked up, not
 * tested: the pattern is filed under its most selective one, and the next few are gates that the
 * event must also have reached; a leaf value at one of its `exists: false` paths refutes it. An
 * event is walked along the indexed paths (`index-paths.ts`), each value there looked up in hash
 * maps: first the paths patterns are filed at, then only the paths that the gates, refutations and
 * proofs of the patterns filed where it reached read (`Stage`, kept per set of buckets reached), so
 * a rule's request fields are read only on events of its `eventName`. The patterns filed under what
 * it reached, whose gates it reached too and that nothing refuted (and the few with no indexable
 * condition), are the candidates. A candidate whose every
 * condition the index finds exactly (`indexProofOf`) is settled by what the walk reached; the others
 * are tested whole with `matches`. The merged list is kept per set of buckets reached, so the cost
 * per event depends on how many patterns can match it, not on how many are registered; the index
 * only ever leaves out patterns that cannot match, and proves only what `matches` would answer.
 * A pattern added later with the calls it pins (`addLater` with `calls`: `detail.eventName` values)
 * is compiled and filed only when an event with one of those calls first comes, so what starting
 * costs depends on the calls met, not on how many rules wait for calls that never come.
 */

/** A merged candidate list and the set of buckets it is for. */
interface Merged {
  buckets: Bucket[];
  list: number[];
}

/**
 * What an event that reached `buckets` along the filing paths must be walked along next: the
 * nodes the possible candidates' gates, refutations and proofs read (`view`, undefined for none);
 * `none` when no pattern can match it.
 */
interface Stage {
  buckets: Bucket[];
  view: PathNode | undefined;
  none: boolean;
}

interface Entry<K> {
  key: K;
  /** Undefined until the index is built, for an entry added with `addLater`. */
  pattern: CompiledPattern | undefined;
  /** What makes the pattern of an entry added with `addLater`, run when the index is built. */
  make?: () => CompiledPattern;
  /**
   * The `detail.eventName` values one of which every event the pattern matches has (`addLater`
   * with `calls`): the entry is made and filed only when an event with one of them comes.
   */
  calls?: readonly string[];
  /** What finds `calls`, run when the index is first built (`addLater` with a function). */
  findCalls?: () => readonly string[] | undefined;
  /** Entries with the same pattern text share a slot: tested once per event. */
  slot: number;
  /** Keys besides the one the entry is filed under: a bucket of each must be reached. */
  gates: Bucket[][];
  /** Any of these reached (a leaf value where the pattern has `exists: false`), it cannot match. */
  refutedBy: Bucket[];
  /** Set when the index can prove the pattern matches (`provenBy`). */
  proof: Proof | undefined;
  /** The nodes its gates, refutations and proof read. */
  reads: PathNode[];
}

/**
 * What proves a candidate (nothing refuted it) matches (`ProofPart`, with buckets): for each of
 * `found`, one of its buckets reached with no array on the way; each of `tested` holding
 * (`holdsAt`); none of `absent` reached; and for each of `ors`, one branch proven.
 */
interface Proof {
  found: Bucket[][];
  tested: Extract<ProofField, { found: false }>[];
  absent: Bucket[];
  ors: Proof[][];
}

/** Keys after the first that an entry is gated by, at most; and no key this common. */
const MAX_GATES = 3;
const GATE_COST_LIMIT = 0.9;

/** Merged candidate lists kept (for sets of buckets met before); all forgotten when full. */
const MERGED_LIMIT = 10_000;
/** Leaf values remembered per path (then forgotten all at once), and the longest text remembered. */
const MEMO_LIMIT = 2048;
const MEMO_TEXT_LIMIT = 128;

const hasOwn = Object.prototype.hasOwnProperty;

const NONE: number[] = [];

export class PatternIndex<K> {
  private readonly entries: Entry<K>[] = [];
  private readonly slots = new Map<string, number>();
  private slotGeneration = new Uint32Array(16);
  private slotAnswer = new Uint8Array(16);
  /** Counts events: a bucket or slot marked with the current one was reached or answered for this event. */
  private generation = 0;

  /** Built on first use after an `add` (see `build`). */
  private root: PathNode | undefined;
  /** Entries not made or filed yet, by the event names they wait for (`addLater` with `calls`). */
  private deferred = new Map<string, number[]>();
  /** What is found of each pattern text filed, shared by the entries with that text. */
  private bySlot = new Map<number, Filed>();
  /** The part of `root` that reaches the nodes entries are filed at: walked first. */
  private filing: PathNode | undefined;
  private filingNodes = new Set<PathNode>();
  /** Stages by the sum of the salts of the buckets reached along `filing` (`candidates`). */
  private stages = new Map<number, Stage[]>();
  private stageCount = 0;
  private buckets: Bucket[] = [];
  /** Entries with no indexable condition: candidates for every event nothing refutes them for. */
  private unindexed: number[] = [];
  /** Merged candidate lists by the sum of the salts of their buckets (`candidates`). */
  private merged = new Map<number, Merged[]>();
  private mergedCount = 0;
  /** The buckets that index something reached by the event at hand, and the sum of their salts. */
  private readonly hits: Bucket[] = [];
  private hitSalts = 0;

  get size(): number {
    return this.entries.length;
  }

  /** Register a pattern under `key` (keys need not be unique). */
  add(key: K, pattern: CompiledPattern): void {
    this.entries.push({
      key,
      pattern,
      slot: this.slotOf(pattern),
      gates: [],
      refutedBy: [],
      proof: undefined,
      reads: [],
    });
    this.root = undefined;
  }

  /**
   * Register under `key` the pattern `make` returns, made and compiled when the index is first
   * used, in registration order with the others: a thread that never matches (`scan`'s engine
   * thread, whose readers match) never pays for it. What `make` throws is thrown by that first use.
   * `calls` (or what finds them, run at that first use too): see `Entry.calls`.
   */
  addLater(
    key: K,
    make: () => CompiledPattern,
    calls?: readonly string[] | (() => readonly string[] | undefined),
  ): void {
    this.entries.push({
      key,
      pattern: undefined,
      make,
      ...(typeof calls === "function" ? { findCalls: calls } : calls ? { calls } : {}),
      slot: -1,
      gates: [],
      refutedBy: [],
      proof: undefined,
      reads: [],
    });
    this.root = undefined;
  }

  /**
   * Make, compile and index every pattern now (what making one throws is thrown here), but those
   * added with `calls`: they are made when an event with one of their calls first comes.
   */
  prepare(): void {
    this.built();
  }

  /** `prepare`, and the patterns that wait for their calls too (tests and benchmarks). */
  prepareAll(): void {
    this.built();
    const waiting = new Set<number>();
    for (const indexes of this.deferred.values()) for (const index of indexes) waiting.add(index);
    if (waiting.size === 0) return;
    const indexes = [...waiting].sort((a, b) => a - b);
    this.make(indexes);
    this.deferred.clear();
    this.file(indexes);
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
  stats(): { patterns: number; unindexed: number; paths: number; buckets: number; provable: number } {
    this.prepareAll();
    const root = this.built();
    return {
      patterns: this.entries.length,
      unindexed: this.unindexed.length,
      paths: countPaths(root),
      buckets: this.buckets.length,
      provable: this.entries.filter((entry) => entry.proof).length,
    };
  }

  /** How many patterns `match` would consider for `event` (tests and benchmarks). */
  candidateCount(event: unknown): number {
    return this.candidates(event).length;
  }

  /**
   * How many distinct patterns `match` would consider for `event`: each proven by the index
   * (`provenCount`) or tested (tests and benchmarks).
   */
  testedCount(event: unknown): number {
    return this.considered(event).size;
  }

  /** How many distinct patterns that `match` considers for `event` the index proves to match (see `testedCount`). */
  provenCount(event: unknown): number {
    const considered = this.considered(event);
    let proven = 0;
    for (const entry of considered.values()) if (entry.proof && provenBy(entry.proof, event, this.generation)) proven++;
    return proven;
  }

  /** The candidates for `event`, one entry per slot. */
  private considered(event: unknown): Map<number, Entry<K>> {
    const bySlot = new Map<number, Entry<K>>();
    for (const index of this.candidates(event)) {
      const entry = this.entries[index]!;
      if (!bySlot.has(entry.slot)) bySlot.set(entry.slot, entry);
    }
    return bySlot;
  }

  /** The keys of every pattern that matches `event`, in registration order. */
  match(event: unknown): K[] {
    const candidates = this.candidates(event);
    const keys: K[] = [];
    if (candidates.length === 0) return keys;
    const generation = this.generation;
    const seen = this.slotGeneration;
    const answers = this.slotAnswer;
    for (let i = 0; i < candidates.length; i++) {
      const entry = this.entries[candidates[i]!]!;
      const slot = entry.slot;
      if (seen[slot] !== generation) {
        seen[slot] = generation;
        const proof = entry.proof;
        answers[slot] =
          (proof !== undefined && provenBy(proof, event, generation)) || matches(entry.pattern!, event) ? 1 : 0;
      }
      if (answers[slot] === 1) keys.push(entry.key);
    }
    return keys;
  }

  /** What `match` answers, found by testing every pattern: the reference (tests and benchmarks). */
  matchEach(event: unknown): K[] {
    this.prepareAll();
    return this.entries.filter((entry) => matches(entry.pattern!, event)).map((entry) => entry.key);
  }

  private nextGeneration(): number {
    if (this.generation >= 0xfffffffe) {
      this.slotGeneration.fill(0);
      for (const bucket of this.buckets) {
        bucket.seen = 0;
        bucket.direct = 0;
      }
      this.generation = 0;
    }
    return ++this.generation;
  }

  /**
   * Entry indexes worth testing against `event`, in registration order: a superset of the matches.
   * Marks the buckets the event reached with its generation (`this.generation`).
   */
  private candidates(event: unknown): number[] {
    this.built();
    if (this.deferred.size > 0) this.fileCallsOf(event);
    const hits = this.hits;
    hits.length = 0;
    this.hitSalts = 0;
    const generation = this.nextGeneration();
    // First the paths entries are filed at, then only what the entries filed where the event
    // reached (and the unindexed ones) read: an event walks the fields its candidates need.
    if (this.filing) this.collect(this.filing, event, generation, false, false);
    const stage = this.stage(generation);
    if (stage.none) return NONE;
    if (stage.view) this.collect(stage.view, event, generation, false, false);
    if (hits.length === 0) return this.unindexed;
    // The set reached is named by the sum of its salts, and told from others with that sum by its size
    // and marks: no sorting, one lookup.
    const known = this.merged.get(this.hitSalts);
    if (known) {
      for (const merged of known) if (reachedAll(merged.buckets, hits.length, generation)) return merged.list;
    }
    if (this.mergedCount >= MERGED_LIMIT) {
      this.merged.clear();
      this.mergedCount = 0;
    }
    const merged = { buckets: hits.slice(), list: this.merge(generation) };
    const same = this.merged.get(this.hitSalts);
    if (same) same.push(merged);
    else this.merged.set(this.hitSalts, [merged]);
    this.mergedCount++;
    return merged.list;
  }

  /** The stage for the buckets reached so far (along `filing`), made when new (see `Stage`). */
  private stage(generation: number): Stage {
    const hits = this.hits;
    const known = this.stages.get(this.hitSalts);
    if (known) {
      for (const stage of known) if (reachedAll(stage.buckets, hits.length, generation)) return stage;
    }
    if (this.stageCount >= MERGED_LIMIT) {
      this.stages.clear();
      this.stageCount = 0;
    }
    const reads = new Set<PathNode>();
    let none = true;
    const add = (index: number) => {
      none = false;
      for (const node of this.entries[index]!.reads) if (!this.filingNodes.has(node)) reads.add(node);
    };
    for (const index of this.unindexed) add(index);
    for (const hit of hits) for (const index of hit.entries) add(index);
    const stage: Stage = { buckets: hits.slice(), view: viewOf(this.root!, reads), none };
    const same = this.stages.get(this.hitSalts);
    if (same) same.push(stage);
    else this.stages.set(this.hitSalts, [stage]);
    this.stageCount++;
    return stage;
  }

  /**
   * The unindexed entries and those filed under a bucket reached whose every gate was reached,
   * less those refuted.
   */
  private merge(generation: number): number[] {
    const union = new Set<number>();
    const refuted = (index: number) => this.entries[index]!.refutedBy.some((bucket) => bucket.seen === generation);
    for (const index of this.unindexed) if (!refuted(index)) union.add(index);
    for (const hit of this.hits) {
      for (const index of hit.entries) {
        if (union.has(index) || refuted(index)) continue;
        const gates = this.entries[index]!.gates;
        if (gates.every((gate) => gate.some((bucket) => bucket.seen === generation))) union.add(index);
      }
    }
    return [...union].sort((a, b) => a - b);
  }

  /**
   * Marks the buckets `value` (at `node`'s path) reaches, and adds those that index something to
   * `hits`; arrays are flattened. `crossed`: an array was crossed on the way to the object holding
   * `value`; `inArray`: `value` is an element of an array (so its members are reached across one).
   * Own members only, as `matches` reads them.
   */
  private collect(node: PathNode, value: unknown, generation: number, crossed: boolean, inArray: boolean): void {
    if (value === undefined) return;
    if (typeof value === "object" && value !== null) {
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) this.collect(node, value[i], generation, crossed, true);
        return;
      }
      const below = crossed || inArray;
      const byKey = node.childByKey;
      if (byKey) {
        // Many children: the object's own keys are fewer (the same members are reached either way).
        for (const key in value) {
          if (!hasOwn.call(value, key)) continue;
          const child = byKey.get(key);
          if (child === undefined) continue;
          const member = (value as Record<string, unknown>)[key];
          if (member !== undefined) this.collect(child, member, generation, below, false);
        }
        return;
      }
      const children = node.children;
      for (let i = 0; i < children.length; i++) {
        const step = children[i]!;
        const member = (value as Record<string, unknown>)[step.key];
        if (member !== undefined && hasOwn.call(value, step.key))
          this.collect(step.node, member, generation, below, false);
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
    for (let i = 0; i < found.length; i++) {
      const bucket = found[i]!;
      if (!crossed) bucket.direct = generation;
      if (bucket.seen === generation) continue;
      bucket.seen = generation;
      if (bucket.indexes) {
        this.hits.push(bucket);
        this.hitSalts = (this.hitSalts + bucket.salt) | 0;
      }
    }
  }

  private built(): PathNode {
    if (!this.root) this.build();
    return this.root!;
  }

  /**
   * Makes every entry (but those waiting for their calls) and files it (`file`) in a new tree.
   */
  private build(): void {
    const now: number[] = [];
    const deferred = new Map<string, number[]>();
    this.entries.forEach((entry, index) => {
      if (entry.findCalls) {
        const calls = entry.findCalls();
        entry.findCalls = undefined;
        if (calls) entry.calls = calls;
      }
      if (entry.pattern || !entry.calls) {
        now.push(index);
        return;
      }
      for (const call of entry.calls) {
        const waiting = deferred.get(call);
        if (waiting) waiting.push(index);
        else deferred.set(call, [index]);
      }
    });
    this.make(now);
    this.root = newNode();
    this.buckets = [];
    this.unindexed = [];
    this.bySlot = new Map();
    this.deferred = deferred;
    this.file(now);
  }

  /** Makes and compiles the patterns of the entries at `indexes` not made yet. */
  private make(indexes: readonly number[]): void {
    for (const index of indexes) {
      const entry = this.entries[index]!;
      if (entry.pattern) continue;
      const pattern = entry.make!();
      entry.pattern = pattern;
      entry.slot = this.slotOf(pattern);
      entry.make = undefined;
    }
  }

  /**
   * Before an event is walked: the entries waiting for one of its `detail.eventName` values
   * (looked through arrays, own members only, as `matches` reads them) are made and filed.
   */
  private fileCallsOf(event: unknown): void {
    const detail = ownMember(event, "detail");
    const name = ownMember(detail, "eventName");
    // The common event: one object, one name, no call waiting for it.
    if (typeof name === "string" && !Array.isArray(detail) && !this.deferred.has(name)) return;
    let waiting: number[] | undefined;
    const take = (name: unknown) => {
      if (typeof name !== "string") return;
      const indexes = this.deferred.get(name);
      if (!indexes) return;
      this.deferred.delete(name);
      waiting = waiting ? [...waiting, ...indexes] : indexes;
    };
    const names = (value: unknown): void => {
      if (Array.isArray(value)) for (const item of value) names(item);
      else take(value);
    };
    const details = (value: unknown): void => {
      if (Array.isArray(value)) for (const item of value) details(item);
      else names(ownMember(value, "eventName"));
    };
    details(detail);
    if (!waiting) return;
    // An entry waits under each of its calls: filed once, under the first of them to come.
    const fresh = [...new Set(waiting)].filter((index) => !this.entries[index]!.pattern);
    if (fresh.length === 0) return;
    this.make(fresh);
    this.file(fresh.sort((a, b) => a - b));
  }

  /**
   * Files the (made) entries at `indexes` under their cheapest key, gated by the next ones (or in
   * `unindexed`), refuted by their `exists: false` paths, and proven by their fields' terms when
   * they can be (`indexProofOf`); then the walks and lists made before are dropped.
   */
  private file(indexes: readonly number[]): void {
    const root = this.root!;
    const buckets = this.buckets;
    const known = buckets.length;
    const bucketsOf = (atoms: IndexKey["atoms"]): Bucket[] => {
      const found: Bucket[] = [];
      for (const { path, term } of atoms) {
        const bucket = bucketFor(nodeAt(root, path), term, buckets);
        if (!found.includes(bucket)) found.push(bucket);
      }
      return found;
    };
    const withBuckets = (part: ProofPart): Proof => ({
      found: part.fields.flatMap((field) =>
        field.found ? [bucketsOf(field.terms.map((term) => ({ path: field.path, term })))] : [],
      ),
      tested: part.fields.filter((field) => !field.found),
      absent: part.absent.map((path) => presentBucket(nodeAt(root, path), buckets)),
      ors: part.ors.map((branches) => branches.map(withBuckets)),
    });
    const indexing = (found: Bucket[]): Bucket[] => {
      for (const bucket of found) bucket.indexes = true;
      return found;
    };
    // Entries sharing a pattern text share what is found of it (once).
    for (const index of indexes) {
      const entry = this.entries[index]!;
      let found = this.bySlot.get(entry.slot);
      if (!found) {
        const [filed, ...rest] = indexKeysOf(entry.pattern!.root);
        const { absent, proof } = indexProofOf(entry.pattern!);
        const gates = rest
          .filter((key) => key.cost < GATE_COST_LIMIT && !tested(key))
          .slice(0, MAX_GATES)
          .map((key) => indexing(bucketsOf(key.atoms)));
        const refutedBy = indexing(absent.map((path) => presentBucket(nodeAt(root, path), buckets)));
        const proven = proof && withBuckets(proof);
        found = {
          filed: filed && indexing(bucketsOf(filed.atoms)),
          gates,
          refutedBy,
          proof: proven,
          reads: [...new Set([...gates.flat(), ...refutedBy, ...proofBuckets(proven)].map((bucket) => bucket.node))],
        };
        this.bySlot.set(entry.slot, found);
      }
      entry.gates = found.gates;
      entry.refutedBy = found.refutedBy;
      entry.proof = found.proof;
      entry.reads = found.reads;
      if (found.filed) for (const bucket of found.filed) insertSorted(bucket.entries, index);
      else insertSorted(this.unindexed, index);
    }
    // A node's remembered lookups may miss the buckets just made there (and only there: `lookUp`
    // reads the node's own lookups); views copied the nodes' lookups, so they are made again.
    for (let i = known; i < buckets.length; i++) buckets[i]!.node.memo.clear();
    this.filingNodes = new Set(buckets.filter((bucket) => bucket.entries.length > 0).map((bucket) => bucket.node));
    this.filing = viewOf(root, this.filingNodes);
    this.merged = new Map();
    this.mergedCount = 0;
    this.stages = new Map();
    this.stageCount = 0;
  }
}

/** What is found of one pattern text (see `Entry`). */
interface Filed {
  filed: Bucket[] | undefined;
  gates: Bucket[][];
  refutedBy: Bucket[];
  proof: Proof | undefined;
  reads: PathNode[];
}

/** `value[key]` when `value` is an object with that own member. */
function ownMember(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null && hasOwn.call(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/** Adds `index` to the ascending `list` (filed later, an entry keeps its registration order). */
function insertSorted(list: number[], index: number): void {
  let at = list.length;
  while (at > 0 && list[at - 1]! > index) at--;
  if (list[at - 1] !== index) list.splice(at, 0, index);
}

/**
 * The `detail.eventName` values a pattern requires one of (a list of plain strings there, which
 * no `$or` can declare again), or undefined. Strings that read as IP addresses are left out: the
 * pattern also matches their other spellings.
 */
export function callsOf(pattern: Record<string, unknown>): string[] | undefined {
  const detail = pattern.detail;
  if (typeof detail !== "object" || detail === null || Array.isArray(detail)) return undefined;
  const names = (detail as Record<string, unknown>).eventName;
  if (!Array.isArray(names) || names.length === 0) return undefined;
  if (!names.every((name) => typeof name === "string" && !parsePatternIp(name))) return undefined;
  return names as string[];
}

/** Whether every bucket of `buckets`, which are `count`, was reached by the event of `generation`. */
function reachedAll(buckets: readonly Bucket[], count: number, generation: number): boolean {
  if (buckets.length !== count) return false;
  for (let i = 0; i < buckets.length; i++) if (buckets[i]!.seen !== generation) return false;
  return true;
}

/** Every bucket `proof` reads (found, absent, in each `$or` branch). */
function proofBuckets(proof: Proof | undefined): Bucket[] {
  if (!proof) return [];
  return [...proof.found.flat(), ...proof.absent, ...proof.ors.flatMap((branches) => branches.flatMap(proofBuckets))];
}

/** Whether `proof` holds for `event`, whose walk had `generation` (see `Proof`). */
function provenBy(proof: Proof, event: unknown, generation: number): boolean {
  const found = proof.found;
  for (let i = 0; i < found.length; i++) {
    const field = found[i]!;
    let reached = false;
    for (let j = 0; j < field.length && !reached; j++) reached = field[j]!.direct === generation;
    if (!reached) return false;
  }
  const absent = proof.absent;
  for (let i = 0; i < absent.length; i++) if (absent[i]!.seen === generation) return false;
  const tested = proof.tested;
  for (let i = 0; i < tested.length; i++) if (!holdsAt(event, tested[i]!.path, tested[i]!.matchers)) return false;
  const ors = proof.ors;
  for (let i = 0; i < ors.length; i++) {
    const branches = ors[i]!;
    let any = false;
    for (let j = 0; j < branches.length && !any; j++) any = provenBy(branches[j]!, event, generation);
    if (!any) return false;
  }
  return true;
}
