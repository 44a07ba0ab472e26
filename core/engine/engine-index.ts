import type { RiposteConfig } from "../config/schema.js";
import { NETWORK_TRACKER } from "../detections/network/tracker.js";
import type { Json } from "../detections/record.js";
import { scanHintsOf } from "../detections/scan-hints.js";
import { createDetectionSpecs, detectionPattern, type EngineSpec, statePattern } from "../detections/specs.js";
import { bucketHistoryPattern } from "../detections/storage/history.js";
import type { EventPattern, StatefulDetection, Tracker, TrackerKind } from "../detections/types.js";
import type { FindingDetection } from "../model/incident.js";
import { compilePattern } from "../patterns/compile.js";
import { callsOf, PatternIndex } from "../patterns/pattern-index.js";
import { ruleDetection } from "../rules/detection.js";
import type { UserRule } from "../rules/format.js";

/**
 * The patterns an engine matches, as one index. Built the same way wherever it is built (the
 * engine, or a reader thread that matches on its behalf), so entries can be named by `id`, their
 * registration number.
 */

/** `extra`: a pattern matched like the others, then dropped (see `buildEngineIndex`). */
export type Role = "trigger" | "state" | "tracker" | "history" | "extra";

export interface IndexEntry {
  /** Registration number: the same for the same configuration and detections. */
  id: number;
  role: Role;
  spec?: EngineSpec;
  /** The `tracker` entry's kind. */
  tracker?: AnyTrackerKind;
  /** A stateless trigger's `qualifies`: a matched event failing it is dropped (`activeEntries`). */
  qualifies?: (record: Json) => boolean;
}

export type AnyTrackerKind = TrackerKind<Tracker<unknown>, unknown>;

/** The kinds of shared knowledge the engine keeps for the detections (see `TrackerKind`). */
export const TRACKER_KINDS: readonly AnyTrackerKind[] = [NETWORK_TRACKER];

/**
 * What the engine must do with an event whose matched entries are these:
 * - `none`: nothing matched;
 * - `skippable`: only stateful detections with a skip hint (`scanHintsOf`: the event's facts may settle it);
 * - `full`: something needs the whole event (a stateless check, a tracker, no skip hint).
 */
export type EntryClass = "none" | "skippable" | "full";

export interface EngineIndex {
  specs: EngineSpec[];
  index: PatternIndex<IndexEntry>;
  entries: IndexEntry[];
  /** Per kind of tracker a detection learns from, those detections. */
  trackerUsers: Map<AnyTrackerKind, StatefulDetection[]>;
  usesHistory: boolean;
  /** Names every entry in order: two indexes with the same signature number entries alike. */
  signature: string;
}

/**
 * The enabled detections (all, or `only` those), in catalog order, each with fresh caches, then
 * users' `rules` in the order given (every one, or those `only` names).
 */
export function enabledSpecs(
  config: RiposteConfig,
  only?: readonly FindingDetection[],
  rules: readonly UserRule[] = [],
): EngineSpec[] {
  const wanted = only ? new Set<string>(only) : undefined;
  const builtIn: EngineSpec[] = createDetectionSpecs().filter(
    (spec) => config.detections[spec.id]?.enabled !== false && (!wanted || wanted.has(spec.id)),
  );
  return [...builtIn, ...rules.filter((rule) => !wanted || wanted.has(rule.id)).map(ruleDetection)];
}

/**
 * `extraPatterns` are registered after the detections' and matched on every event like them, but
 * `index.match` drops them from what it returns, so they change no finding and no state. Only for
 * measuring how matching scales with the number of patterns (`npm run bench -- scan`).
 * `deferByCall`: a pattern that pins `detail.eventName` is compiled and indexed only once an event
 * of one of those calls is matched (`PatternIndex.addLater`): a scan's reader threads do not pay,
 * each, for the many rules about calls its logs never hold.
 */
export function buildEngineIndex(
  specs: EngineSpec[],
  config: RiposteConfig,
  extraPatterns: readonly EventPattern[] = [],
  options: { deferByCall?: boolean } = {},
): EngineIndex {
  const index = extraPatterns.length > 0 ? new IndexWithExtras() : new PatternIndex<IndexEntry>();
  const entries: IndexEntry[] = [];
  // Patterns are made (loop prevention merged in) and compiled when the index is first matched
  // with: `scan`'s engine thread, whose reader threads match, never does it.
  /** `calls`: what finds the pattern's calls more cheaply than making it (see `callsOf`). */
  const add = (
    role: Role,
    pattern: () => Record<string, unknown>,
    spec?: EngineSpec,
    tracker?: AnyTrackerKind,
    calls?: () => readonly string[] | undefined,
  ) => {
    const qualifies = role === "trigger" && spec && !spec.stateful ? spec.qualifies : undefined;
    const entry: IndexEntry = spec
      ? qualifies
        ? { id: entries.length, role, spec, qualifies }
        : { id: entries.length, role, spec }
      : tracker
        ? { id: entries.length, role, tracker }
        : { id: entries.length, role };
    entries.push(entry);
    if (options.deferByCall) {
      // Its calls are read at the index's first use; made, compiled and indexed when an event of
      // one comes (or then, with no calls). An index never used (a scan's engine thread, whose
      // readers match) makes none.
      let made: Record<string, unknown> | undefined;
      const make = () => (made ??= pattern());
      index.addLater(entry, () => compilePattern(make()), calls ?? (() => callsOf(make())));
    } else index.addLater(entry, () => compilePattern(pattern()));
  };
  for (const spec of specs) {
    // Loop prevention never names calls: the detection's own pattern has them, without the merging.
    add(
      "trigger",
      () => detectionPattern(spec, config),
      spec,
      undefined,
      () => callsOf(spec.buildPattern(config)),
    );
    // Detections that learn from a tracker are called through the tracker's entry.
    if (spec.stateful && spec.buildStatePattern && !trackerOf(spec)) {
      add("state", () => statePattern(spec, config)!, spec);
    }
  }
  const trackerUsers = new Map<AnyTrackerKind, StatefulDetection[]>();
  for (const kind of TRACKER_KINDS) {
    const users = specs.filter((spec): spec is StatefulDetection => trackerOf(spec) === kind);
    if (users.length === 0) continue;
    trackerUsers.set(kind, users);
    add("tracker", () => kind.pattern(), undefined, kind);
  }
  const usesHistory = specs.some((spec) => spec.category === "storage");
  if (usesHistory) add("history", bucketHistoryPattern);
  for (const pattern of extraPatterns) add("extra", () => pattern);
  const signature = entries.map((entry) => `${entry.role}:${entry.spec?.id ?? entry.tracker?.name ?? ""}`).join(",");
  return { specs, index, entries, trackerUsers, usesHistory, signature };
}

/** An index whose `extra` entries are matched, then left out of the result. */
class IndexWithExtras extends PatternIndex<IndexEntry> {
  override match(event: unknown): IndexEntry[] {
    const keys = super.match(event);
    for (const key of keys) if (key.role === "extra") return keys.filter((entry) => entry.role !== "extra");
    return keys;
  }
}

/** The tracker a detection learns from: the kind whose pattern is its `buildStatePattern`. */
export function trackerOf(spec: EngineSpec): AnyTrackerKind | undefined {
  if (!spec.stateful || !spec.buildStatePattern) return undefined;
  for (const kind of TRACKER_KINDS) if (spec.buildStatePattern === kind.pattern) return kind;
  return undefined;
}

/** See `EntryClass`. */
export function classifyEntries(entries: readonly IndexEntry[]): EntryClass {
  if (entries.length === 0) return "none";
  for (const entry of entries) {
    if (entry.role === "tracker" || entry.role === "history") return "full";
    const spec = entry.spec;
    if (!spec?.stateful || !scanHintsOf(spec)?.skip) return "full";
  }
  return "skippable";
}

/**
 * Whether the finding of a matched entry is the same whatever order events come in: a stateless
 * detection's, unless it is a storage finding and the event reads or writes the buckets' history
 * (`historyMatters`: the finding carries the bucket's previous policy or CORS). A finding a later
 * one may resolve (a world-open rule's) is order-free too: which incidents a resolver resolves
 * goes by event time, whichever was opened first (core/incidents/resolve.ts).
 */
export function isOrderFreeEntry(entry: IndexEntry, historyMatters: boolean): boolean {
  const spec = entry.spec;
  if (entry.role !== "trigger" || !spec || spec.stateful) return false;
  return !(historyMatters && spec.category === "storage");
}

/** The stateful detections the entries concern, each once in entry order, and whether it may fire. */
export function statefulEntries(entries: readonly IndexEntry[]): Map<StatefulDetection<FindingDetection>, boolean> {
  const stateful = new Map<StatefulDetection<FindingDetection>, boolean>();
  for (const entry of entries) {
    const spec = entry.spec;
    if (spec?.stateful) stateful.set(spec, (stateful.get(spec) ?? false) || entry.role === "trigger");
  }
  return stateful;
}

/**
 * The entries that can do anything with this event: when a tracker ignores it (its kind's
 * `ignores`), neither the tracker nor the detections that need a change of it can, so they are
 * left out; so is a stateless trigger whose `qualifies` the event fails (a rule's condition).
 * Processing the rest gives exactly the findings and state of processing all.
 */
export function activeEntries(entries: IndexEntry[], record: Json): IndexEntry[] {
  let ignored: AnyTrackerKind[] | undefined;
  // The entries kept, made only once one is refused (most events keep all).
  let kept: IndexEntry[] | undefined;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (refuses(entry, record)) {
      kept ??= entries.slice(0, i);
      continue;
    }
    kept?.push(entry);
    if (!entry.tracker?.ignores(record)) continue;
    ignored ??= [];
    ignored.push(entry.tracker);
  }
  if (!ignored) return kept ?? entries;
  return (kept ?? entries).filter((entry) => {
    if (entry.tracker) return !ignored.includes(entry.tracker);
    const spec = entry.spec;
    return !(spec?.stateful && scanHintsOf(spec)?.requiresChange && ignored.includes(trackerOf(spec)!));
  });
}

/**
 * Whether the entry's `qualifies` says no. One that throws on an (attacker-written) record keeps
 * the entry: the engine then runs the detection's `evaluate`, which logs its failure on that event
 * and goes on, as for any detection.
 */
function refuses(entry: IndexEntry, record: Json): boolean {
  if (!entry.qualifies) return false;
  try {
    return !entry.qualifies(record);
  } catch {
    return false;
  }
}
