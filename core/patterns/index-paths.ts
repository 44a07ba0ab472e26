import type { IndexTerm } from "./conditions.js";
import { parsePatternIp } from "./ip.js";
import { foldText, type ValueMatcher } from "./values.js";

/**
 * The field paths `PatternIndex` looks events up along: a tree of steps, each with the lookups
 * (hash maps of values, prefixes, suffixes…) that find the buckets a leaf value there reaches.
 */

/** What a term (or any leaf value, `present`) at one path finds: the patterns filed there. */
export interface Bucket {
  id: number;
  /** Random bits: a set of buckets is named by the sum of theirs (`PatternIndex.candidates`). */
  salt: number;
  entries: number[];
  /** Whether reaching it can change the candidates (filed, gated or refuted by it); else only proofs read it. */
  indexes: boolean;
  /** The generation of the event that last reached it (each counted once per event). */
  seen: number;
  /** The generation of the event that last reached it with no array on the way to the leaf's object. */
  direct: number;
  /** The node whose lookups find it. */
  node: PathNode;
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
export interface PathNode {
  children: { key: string; node: PathNode }[];
  /** `children` by key, kept once there are more than `KEYED_CHILDREN` (see `PatternIndex.collect`). */
  childByKey: Map<string, PathNode> | undefined;
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
  /** Reached by any leaf value here (refutes `exists: false`). */
  present: Bucket | undefined;
  /** The buckets leaf values met here reached (`lookUp`), kept: events repeat their values. */
  memo: Map<unknown, Bucket[]>;
}

export function newNode(): PathNode {
  return {
    children: [],
    childByKey: undefined,
    exact: undefined,
    ips: undefined,
    folded: undefined,
    prefixes: undefined,
    suffixes: undefined,
    foldedPrefixes: undefined,
    foldedSuffixes: undefined,
    tests: undefined,
    testTexts: undefined,
    present: undefined,
    memo: new Map(),
  };
}

/** Every node with a lookup (tests and benchmarks). */
export function countPaths(node: PathNode): number {
  let paths = 0;
  if (node.exact || node.ips || node.folded || node.prefixes || node.suffixes) paths++;
  else if (node.foldedPrefixes || node.foldedSuffixes || node.tests || node.present) paths++;
  for (const step of node.children) paths += countPaths(step.node);
  return paths;
}

/**
 * Above this many children, a node also keeps them by key: an object there is walked by its own
 * keys (a few, in most events) rather than by every child (`requestParameters` has dozens with
 * hundreds of rules).
 */
export const KEYED_CHILDREN = 8;

export function nodeAt(root: PathNode, path: readonly string[]): PathNode {
  let node = root;
  for (const key of path) {
    let child = node.childByKey ? node.childByKey.get(key) : node.children.find((step) => step.key === key)?.node;
    if (!child) {
      child = newNode();
      node.children.push({ key, node: child });
      if (node.childByKey) node.childByKey.set(key, child);
      else if (node.children.length > KEYED_CHILDREN) {
        node.childByKey = new Map(node.children.map((step) => [step.key, step.node]));
      }
    }
    node = child;
  }
  return node;
}

/**
 * The part of the tree under `root` that reaches the nodes of `wanted`: those nodes with their
 * lookups (and what they remember), and the steps leading to them with none. Undefined when
 * `wanted` holds no node under `root`. A walk of the view reaches exactly the buckets of `wanted`'s
 * nodes that a walk of the whole tree reaches.
 */
export function viewOf(root: PathNode, wanted: ReadonlySet<PathNode>): PathNode | undefined {
  const children: { key: string; node: PathNode }[] = [];
  for (const step of root.children) {
    const child = viewOf(step.node, wanted);
    if (child) children.push({ key: step.key, node: child });
  }
  const own = wanted.has(root);
  if (!own && children.length === 0) return undefined;
  const view: PathNode = own ? { ...root } : newNode();
  view.children = children;
  view.childByKey =
    children.length > KEYED_CHILDREN ? new Map(children.map((step) => [step.key, step.node])) : undefined;
  return view;
}

/** The bucket of `term` at `node`, made when new. */
export function bucketFor(node: PathNode, term: IndexTerm, buckets: Bucket[]): Bucket {
  switch (term.kind) {
    case "exact": {
      const ip = typeof term.value === "string" ? parsePatternIp(term.value) : undefined;
      if (ip) {
        node.ips ??= new Map();
        return bucketIn(node.ips, ip.key, buckets, node);
      }
      node.exact ??= new Map();
      return bucketIn(node.exact, term.value, buckets, node);
    }
    case "folded":
      node.folded ??= new Map();
      return bucketIn(node.folded, term.text, buckets, node);
    case "test": {
      node.testTexts ??= new Map();
      node.tests ??= [];
      const known = node.testTexts.get(term.text);
      if (known) return known;
      const bucket = bucketIn(node.testTexts, term.text, buckets, node);
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
      if (!affixes.lengths.includes(term.text.length)) {
        affixes.lengths.push(term.text.length);
        affixes.lengths.sort((a, b) => a - b);
      }
      return bucketIn(affixes.byText, term.text, buckets, node);
    }
  }
}

/** The bucket any leaf value at `node` reaches, made when new. */
export function presentBucket(node: PathNode, buckets: Bucket[]): Bucket {
  node.present ??= newBucket(buckets, node);
  return node.present;
}

/** The buckets a leaf value at `node` reaches (each lookup and test of the node, once). */
export function lookUp(node: PathNode, value: unknown): Bucket[] {
  const found: Bucket[] = [];
  if (node.present) found.push(node.present);
  if (node.exact) add(found, node.exact.get(value));
  if (node.tests) for (const { test, bucket } of node.tests) if (test(value)) add(found, bucket);
  if (typeof value !== "string") return found;
  if (node.ips) add(found, node.ips.get(parsePatternIp(value)?.key ?? ""));
  if (node.prefixes) affixes(found, node.prefixes, value, true);
  if (node.suffixes) affixes(found, node.suffixes, value, false);
  if (node.folded || node.foldedPrefixes || node.foldedSuffixes) {
    const folded = foldText(value);
    if (node.folded) add(found, node.folded.get(folded));
    if (node.foldedPrefixes) affixes(found, node.foldedPrefixes, folded, true);
    if (node.foldedSuffixes) affixes(found, node.foldedSuffixes, folded, false);
  }
  return found;
}

function add(found: Bucket[], bucket: Bucket | undefined): void {
  if (bucket && !found.includes(bucket)) found.push(bucket);
}

function affixes(found: Bucket[], affixes: Affixes, text: string, prefix: boolean): void {
  for (const length of affixes.lengths) {
    if (length > text.length) break;
    add(found, affixes.byText.get(prefix ? text.slice(0, length) : text.slice(text.length - length)));
  }
}

function bucketIn<V>(map: Map<V, Bucket>, value: V, buckets: Bucket[], node: PathNode): Bucket {
  let bucket = map.get(value);
  if (!bucket) {
    bucket = newBucket(buckets, node);
    map.set(value, bucket);
  }
  return bucket;
}

function newBucket(buckets: Bucket[], node: PathNode): Bucket {
  const id = buckets.length;
  const bucket: Bucket = { id, salt: mix(id), entries: [], indexes: false, seen: 0, direct: 0, node };
  buckets.push(bucket);
  return bucket;
}

/** A 32-bit integer hash of `id` (murmur3's finalizer): well spread, the same on every run. */
function mix(id: number): number {
  let h = id + 0x9e3779b9;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

function newAffixes(): Affixes {
  return { byText: new Map(), lengths: [] };
}
