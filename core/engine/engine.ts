import type { RiposteConfig } from "../config/schema.js";
import type { CorrelationStore } from "../correlation/store.js";
import type { ResourceDescriber } from "../detections/describe.js";
import { completeFinding } from "../detections/draft.js";
import type { Json } from "../detections/record.js";
import { type SkipHint, scanHintsOf } from "../detections/scan-hints.js";
import { BucketHistoryTracker, withPrevious } from "../detections/storage/history.js";
import type {
  CorrelationContext,
  DetectionText,
  EventPattern,
  FindingDraft,
  StatefulDetection,
  Tracker,
  TrackerKind,
} from "../detections/types.js";
import { type Location, locate } from "../geo/locate.js";
import { type Logger, silentLogger } from "../log.js";
import type { DetectionId } from "../model/catalog.js";
import type { SecurityEvent } from "../model/event.js";
import type { Finding, FindingDetection } from "../model/incident.js";
import { cidrContains, parseCidr, parseIp } from "../net/ip.js";
import type { UserRule } from "../rules/format.js";
import {
  type AnyTrackerKind,
  activeEntries,
  buildEngineIndex,
  classifyEntries,
  enabledSpecs,
  type IndexEntry,
  isOrderFreeEntry,
  statefulEntries,
} from "./engine-index.js";
import type { PreparedEvent } from "./prepared.js";

/**
 * The detection engine: every enabled detection over a stream of events in event-time order.
 * Patterns are compiled once into an index; stateless detections check the candidate event,
 * stateful ones correlate through the correlation store. The same engine serves `riposte scan`,
 * the local runtime, and (restricted to the stateful detections) the correlate function on AWS.
 * A detection that throws on one event is logged and skipped; the others still run.
 */

export interface DetectionEngineOptions {
  config: RiposteConfig;
  state: CorrelationStore;
  logger?: Logger;
  /** Live lookups (security group tags, interface groups); optional. */
  describe?: ResourceDescriber;
  /** Run only these detections and rules (default: every enabled one). */
  detections?: readonly FindingDetection[];
  /** Users' rules (a rules directory), run after the catalog's detections. */
  rules?: readonly UserRule[];
  /**
   * Process each event once even when it is delivered several times (the correlate function
   * receives one delivery per matching rule). Keyed on event id and time, for a day of event time.
   */
  dedupe?: boolean;
  /** Patterns matched and then ignored, for benchmarks only (see `buildEngineIndex`). */
  extraPatterns?: readonly EventPattern[];
  /**
   * Make and compile the patterns when the first event is matched rather than now (`scan`, whose
   * reader threads match and whose engine thread may never need to). Otherwise a pattern that
   * cannot be made fails the engine's creation, as a server start should. A lazy index also
   * compiles a pattern about calls only when an event of one comes (`deferByCall`).
   */
  lazyIndex?: boolean;
}

export interface DetectionEngine {
  /** Findings completed by this event (events should come in event-time order). */
  process(event: SecurityEvent): Promise<Finding[]>;
  /**
   * Several events in order, findings of all of them in order. Cheaper than one `process` call
   * per event: events that need no store access are handled without a promise each.
   */
  processBatch(events: readonly SecurityEvent[]): Promise<Finding[]>;
  /** End of input: findings judged at the latest event time seen (timers due by then). */
  finish(): Promise<Finding[]>;
  /** The latest event time processed (epoch ms), if any. */
  readonly latestTime: number | undefined;
  /**
   * For a caller that takes some findings before the events earlier in event time have arrived
   * (the local detection loop, which otherwise waits to order them). Without it, every finding is
   * taken to depend on the order.
   */
  readonly orderFree?: OrderFreeDetection;
}

/**
 * An event's findings in two parts. `find` gives those that are the same whatever order events
 * come in (`isOrderFreeEntry`: most stateless detections'), at once, without taking its time or
 * touching any state. `processBatch` then gives the rest, in event-time order with the other
 * events: `found` names the events whose part `find` gave. `find(e)` and then
 * `processBatch([e], () => true)` give what `process(e)` gives.
 */
export interface OrderFreeDetection {
  find(event: SecurityEvent): Finding[];
  processBatch(events: readonly SecurityEvent[], found: (event: SecurityEvent) => boolean): Promise<Finding[]>;
}

/**
 * The engine as `riposte scan` drives it with reader threads: events matched and prepared on
 * another thread (`PreparedEvent`), rebuilt here only when a detection needs the whole record.
 */
export interface PreparedDetectionEngine extends DetectionEngine {
  /** Same as `processBatch` on the events these were prepared from. */
  processPrepared(events: readonly PreparedEvent[]): Promise<Finding[]>;
  /** The index signature the reader threads must match with (see `buildEngineIndex`). */
  readonly indexSignature: string;
}

/** What the engine keeps per distinct list of matched entries (a prepared event names its list). */
interface EntryList {
  entries: IndexEntry[];
  skippable: boolean;
  /** For `skippable` lists: each stateful detection concerned, whether it may fire, and its skip hint. */
  stateful: [StatefulDetection<FindingDetection>, boolean, SkipHint][];
  /** Where each one's skip facts start in the event's facts. */
  factOffsets: number[];
}

/** Which of an event's stateless findings to give (see `OrderFreeDetection`). */
type Part = "all" | "order-free" | "rest";

const LOCATION_CACHE_LIMIT = 50_000;
const NO_FINDINGS: Finding[] = [];
const DAY = 24 * 60 * 60 * 1000;

export function createDetectionEngine(options: DetectionEngineOptions): DetectionEngine {
  return createPreparedDetectionEngine(options);
}

/** `createDetectionEngine`, able to take prepared events too. */
export function createPreparedDetectionEngine(options: DetectionEngineOptions): PreparedDetectionEngine {
  const { config, state } = options;
  const logger = options.logger ?? silentLogger;
  const {
    specs,
    index,
    entries: allEntries,
    trackerUsers,
    usesHistory,
    signature,
  } = buildEngineIndex(enabledSpecs(config, options.detections, options.rules), config, options.extraPatterns, {
    // A scan's engine (lazy) compiles a pattern about calls when it first meets one of them.
    deferByCall: options.lazyIndex,
  });
  if (!options.lazyIndex) index.prepare();
  const byId = new Map(specs.map((spec) => [spec.id, spec]));

  const trackers = new Map<AnyTrackerKind, Tracker<unknown>>();
  const history = new BucketHistoryTracker(state);
  const locations = new Map<string, Location>();
  const cachedLocate = (ip: string): Location => {
    let location = locations.get(ip);
    if (!location) {
      if (locations.size >= LOCATION_CACHE_LIMIT) locations.clear();
      location = locate(ip);
      locations.set(ip, location);
    }
    return location;
  };
  const trusted = config.trustedCidrs.map((text) => parseCidr(text)).filter((cidr) => cidr !== undefined);
  const isTrusted = (ip: string): boolean => {
    if (trusted.length === 0) return false;
    const parsed = parseIp(ip);
    return parsed !== undefined && trusted.some((cidr) => cidrContains(cidr, parsed));
  };
  let latest: number | undefined;
  let checkedTimersAt = Number.NEGATIVE_INFINITY;

  const contextAt = (now: number) =>
    new EngineContext(config, state, now, cachedLocate, isTrusted, logger, options.describe, trackers);

  const guard = async (
    spec: DetectionText<FindingDetection>,
    event: SecurityEvent | undefined,
    run: () => Promise<FindingDraft[]> | FindingDraft[],
  ) => {
    try {
      return (await run()).map((draft) => completeFinding(spec, draft));
    } catch (error) {
      logger.warn("detection failed on an event", { detection: spec.id, eventId: event?.id, error });
      return [];
    }
  };

  async function runDueTimers(upTo: number): Promise<Finding[]> {
    const findings: Finding[] = [];
    for (const timer of await state.takeDue(upTo)) {
      const owner = byId.get(timer.id.slice(0, timer.id.indexOf("|")) as DetectionId) as
        | StatefulDetection<FindingDetection>
        | undefined;
      if (!owner?.onTimer) continue;
      const context = contextAt(timer.dueAt);
      findings.push(...(await guard(owner, undefined, () => owner.onTimer!(timer.payload, context))));
    }
    return findings;
  }

  /**
   * Stateless findings of the matched entries (synchronous): `part` "order-free" only those
   * (`isOrderFreeEntry`), "rest" all but those, "all" all.
   */
  function statelessFindings(event: SecurityEvent, entries: readonly IndexEntry[], part: Part = "all"): Finding[] {
    const findings: Finding[] = [];
    const historyMatters = part !== "all" && historyMattersFor(event, entries);
    for (const entry of entries) {
      const spec = entry.spec;
      if (!spec || spec.stateful || entry.role !== "trigger") continue;
      if (part !== "all" && isOrderFreeEntry(entry, historyMatters) !== (part === "order-free")) continue;
      try {
        const draft = spec.evaluate(event.envelope, config);
        if (draft) findings.push(completeFinding(spec, draft));
      } catch (error) {
        logger.warn("detection failed on an event", { detection: spec.id, eventId: event.id, error });
      }
    }
    return findings;
  }

  /** The stateful detections an event concerns (`true`: it may fire), before skips. */
  function statefulOf(
    entries: readonly IndexEntry[],
    context?: EngineContext,
  ): Map<StatefulDetection<FindingDetection>, boolean> {
    const stateful = statefulEntries(entries);
    // Detections that learn from a tracker see every change of it, even ones they do not fire on.
    if (context?.changes)
      for (const kind of context.changes.keys())
        for (const spec of trackerUsers.get(kind) ?? []) if (!stateful.has(spec)) stateful.set(spec, false);
    return stateful;
  }

  async function processMatched(
    event: SecurityEvent,
    entries: readonly IndexEntry[],
    context: EngineContext,
    part: Exclude<Part, "order-free"> = "all",
  ) {
    let previousBucket: Awaited<ReturnType<BucketHistoryTracker["observe"]>>;
    for (const entry of entries) {
      try {
        if (entry.tracker) context.noteChange(entry.tracker, await context.tracker(entry.tracker).observe(event));
        else if (entry.role === "history") previousBucket = await history.observe(event);
      } catch (error) {
        logger.warn("updating detection state failed", { role: entry.role, eventId: event.id, error });
      }
    }
    const findings = statelessFindings(event, entries, part);
    for (const [spec, trigger] of statefulOf(entries, context)) {
      if (skips(spec, event, context, trigger)) continue;
      findings.push(...(await guard(spec, event, () => spec.correlate(event, context, trigger))));
    }
    if (usesHistory && findings.some((finding) => finding.category === "storage")) {
      const previous =
        previousBucket ??
        ((event.envelope.detail as { eventName?: unknown }).eventName === "DeleteBucketPolicy"
          ? await history.previousFor(event).catch(() => undefined)
          : undefined);
      return findings.map((finding) => withPrevious(finding, previous));
    }
    return findings;
  }

  /** A storage finding of a deleted bucket policy is given the policy before it (the bucket history). */
  function readsHistory(event: SecurityEvent): boolean {
    return usesHistory && (event.envelope.detail as { eventName?: unknown }).eventName === "DeleteBucketPolicy";
  }

  /** Whether the event's storage findings are given what the bucket history held before it. */
  function historyMattersFor(event: SecurityEvent, entries: readonly IndexEntry[]): boolean {
    return readsHistory(event) || entries.some((entry) => entry.role === "history");
  }

  /** Note the event time; due timers are checked once per second of event time. */
  function advance(epochMs: number): Promise<Finding[]> | undefined {
    if (latest === undefined || epochMs > latest) latest = epochMs;
    // Deadlines strictly before this event (an event at the deadline can still meet it).
    if (latest - checkedTimersAt < 1000) return undefined;
    checkedTimersAt = latest;
    // A store that knows its timers says when none can be due yet: no round trip then.
    const earliest = state.earliestDue?.();
    if (state.earliestDue && (earliest === undefined || earliest > latest - 1)) return undefined;
    return runDueTimers(latest - 1);
  }

  /**
   * One event: synchronous when nothing needs the store (no stateful detection left after its
   * cache-backed skip, no tracked change, no timer check), so the common event costs no promise.
   */
  function processNow(event: SecurityEvent, part: Exclude<Part, "order-free"> = "all"): Finding[] | Promise<Finding[]> {
    if (options.dedupe) return processDeduped(event);
    const timers = advance(event.epochMs);
    return processMatches(event, activeEntries(index.match(event.envelope), event.envelope.detail), timers, part);
  }

  function processMatches(
    event: SecurityEvent,
    entries: readonly IndexEntry[],
    timers: Promise<Finding[]> | undefined,
    part: Exclude<Part, "order-free"> = "all",
  ): Finding[] | Promise<Finding[]> {
    if (entries.length === 0) return timers ?? NO_FINDINGS;
    const context = contextAt(event.epochMs);
    const needsStore =
      entries.some((entry) => entry.role === "tracker" || entry.role === "history") ||
      [...statefulOf(entries)].some(([spec, trigger]) => !skips(spec, event, context, trigger)) ||
      readsHistory(event);
    if (!needsStore && !timers) return statelessFindings(event, entries, part);
    return (async () => [
      ...(timers ? await timers : []),
      ...(needsStore ? await processMatched(event, entries, context, part) : statelessFindings(event, entries, part)),
    ])();
  }

  const entryLists = new Map<readonly number[], EntryList>();
  function entryListOf(ids: readonly number[]): EntryList {
    let list = entryLists.get(ids);
    if (!list) {
      const entries = ids.map((id) => {
        const entry = allEntries[id];
        if (!entry) throw new Error(`prepared event names index entry ${id}, which this engine does not have`);
        return entry;
      });
      const skippable = classifyEntries(entries) === "skippable";
      const stateful = skippable
        ? [...statefulEntries(entries)].map(
            ([spec, trigger]): [StatefulDetection<FindingDetection>, boolean, SkipHint] => [
              spec,
              trigger,
              scanHintsOf(spec)!.skip!,
            ],
          )
        : [];
      const factOffsets: number[] = [];
      let offset = 0;
      for (const [, , hint] of stateful) {
        factOffsets.push(offset);
        offset += hint.count;
      }
      list = { entries, skippable, stateful, factOffsets };
      // Lists are interned by the reader, so this stays as small as the variety of lists.
      if (entryLists.size >= 10_000) entryLists.clear();
      entryLists.set(ids, list);
    }
    return list;
  }

  /** A context for skip hints only (they keep nothing of it): one object, its time updated. */
  const skipContext = contextAt(0);

  function skipsAll(list: EntryList, facts: readonly string[], epochMs: number): boolean {
    skipContext.now = epochMs;
    const { stateful, factOffsets } = list;
    for (let i = 0; i < stateful.length; i++) {
      const [, trigger, hint] = stateful[i]!;
      if (!hint.test(facts, factOffsets[i]!, skipContext, trigger)) return false;
    }
    return true;
  }

  /**
   * What the event's facts settle for the detections `skipsAll` did not skip: each one's write,
   * or undefined when one of them needs the record.
   */
  function settlementsOf(
    list: EntryList,
    facts: readonly string[],
    epochMs: number,
  ): { spec: StatefulDetection<FindingDetection>; write: () => Promise<void> }[] | undefined {
    const context = contextAt(epochMs);
    const { stateful, factOffsets } = list;
    const writes: { spec: StatefulDetection<FindingDetection>; write: () => Promise<void> }[] = [];
    for (let i = 0; i < stateful.length; i++) {
      const [spec, trigger, hint] = stateful[i]!;
      if (hint.test(facts, factOffsets[i]!, context, trigger)) continue;
      const write = hint.settle?.(facts, factOffsets[i]!, context, trigger);
      if (!write) return undefined;
      writes.push({ spec, write });
    }
    return writes;
  }

  /** The settled writes, after the due timers (as `correlate` would run after them). */
  async function settle(
    writes: { spec: StatefulDetection<FindingDetection>; write: () => Promise<void> }[],
    timers: Promise<Finding[]> | undefined,
  ): Promise<Finding[]> {
    const found = timers ? await timers : NO_FINDINGS;
    for (const { spec, write } of writes) {
      try {
        await write();
      } catch (error) {
        logger.warn("detection failed on an event", { detection: spec.id, error });
      }
    }
    return found;
  }

  /**
   * A prepared event: the same as `processNow` on the event it was prepared from, but the record
   * is rebuilt only when some detection needs it — not when its skip facts skip or settle every
   * skip hint. (The reader sends no facts for a DeleteBucketPolicy call, which needs the bucket
   * history.)
   */
  function processPreparedNow(prepared: PreparedEvent): Finding[] | Promise<Finding[]> {
    if (options.dedupe) return processDeduped(prepared.materialize());
    const timers = advance(prepared.epochMs);
    if (prepared.entryIds.length === 0) return timers ?? NO_FINDINGS;
    const list = entryListOf(prepared.entryIds);
    if (list.skippable) {
      const facts = prepared.skipFacts();
      if (facts) {
        if (skipsAll(list, facts, prepared.epochMs)) return timers ?? NO_FINDINGS;
        const writes = settlementsOf(list, facts, prepared.epochMs);
        if (writes) return settle(writes, timers);
      }
    }
    return processMatches(prepared.materialize(), list.entries, timers);
  }

  async function processDeduped(event: SecurityEvent): Promise<Finding[]> {
    const { added } = await state.addToSet("seen-events", [`${event.id}|${event.epochMs}`], {
      now: event.epochMs,
      expiresAt: event.epochMs + DAY,
    });
    if (added.length === 0) return [];
    const findings: Finding[] = [];
    const timers = advance(event.epochMs);
    if (timers) findings.push(...(await timers));
    const entries = activeEntries(index.match(event.envelope), event.envelope.detail);
    if (entries.length === 0) return findings;
    return [...findings, ...(await processMatched(event, entries, contextAt(event.epochMs)))];
  }

  const orderFree: OrderFreeDetection = {
    find(event) {
      // Deduplicating reads and writes state: which delivery counts depends on the order.
      if (options.dedupe) return [];
      return statelessFindings(event, activeEntries(index.match(event.envelope), event.envelope.detail), "order-free");
    },
    processBatch: (events, found) => processEach(events, (event) => (found(event) ? "rest" : "all")),
  };

  /** Events in order, each's findings (`partOf` it) in order; no promise for one that needs none. */
  async function processEach(
    events: readonly SecurityEvent[],
    partOf: (event: SecurityEvent) => Exclude<Part, "order-free">,
  ): Promise<Finding[]> {
    const findings: Finding[] = [];
    for (const event of events) {
      const result = processNow(event, partOf(event));
      const found = Array.isArray(result) ? result : await result;
      if (found.length > 0) findings.push(...found);
    }
    return findings;
  }

  return {
    get latestTime() {
      return latest;
    },

    orderFree,

    indexSignature: signature,

    async process(event) {
      const result = await processNow(event);
      // The shared empty result is never handed out: callers may add to what they get.
      return result === NO_FINDINGS ? [] : result;
    },

    processBatch: (events) => processEach(events, () => "all"),

    async processPrepared(events) {
      const findings: Finding[] = [];
      for (const event of events) {
        const result = processPreparedNow(event);
        const found = Array.isArray(result) ? result : await result;
        if (found.length > 0) findings.push(...found);
      }
      return findings;
    },

    async finish() {
      if (latest === undefined) return [];
      const findings = await runDueTimers(latest);
      const context = contextAt(latest);
      for (const spec of specs) {
        if (spec.stateful && spec.finish) findings.push(...(await guard(spec, undefined, () => spec.finish!(context))));
      }
      return findings;
    },
  };
}

/** Whether a stateful detection's skip hint settles the event (false without one). */
function skips(
  spec: StatefulDetection<FindingDetection>,
  event: SecurityEvent,
  context: CorrelationContext,
  trigger: boolean,
): boolean {
  const hint = scanHintsOf(spec)?.skip;
  if (!hint) return false;
  return hint.test(hint.facts(event.envelope.detail as Json), 0, context, trigger);
}

/** What a detection sees while handling one event (see `CorrelationContext`). */
class EngineContext implements CorrelationContext {
  /** What this event changed, per tracker that saw a change. */
  changes: Map<AnyTrackerKind, unknown> | undefined;

  constructor(
    readonly config: RiposteConfig,
    readonly state: CorrelationStore,
    public now: number,
    readonly locate: (ip: string) => Location,
    readonly isTrusted: (ip: string) => boolean,
    readonly logger: Logger,
    readonly describe: ResourceDescriber | undefined,
    private readonly trackers: Map<AnyTrackerKind, Tracker<unknown>>,
  ) {}

  tracker<T extends Tracker<C>, C>(kind: TrackerKind<T, C>): T {
    const key = kind as unknown as AnyTrackerKind;
    let tracker = this.trackers.get(key);
    if (!tracker) {
      tracker = kind.create(this.state, this.config);
      this.trackers.set(key, tracker);
    }
    return tracker as T;
  }

  changed<T extends Tracker<C>, C>(kind: TrackerKind<T, C>): C | undefined {
    return this.changes?.get(kind as unknown as AnyTrackerKind) as C | undefined;
  }

  noteChange(kind: AnyTrackerKind, change: unknown): void {
    if (change === undefined) return;
    this.changes ??= new Map();
    this.changes.set(kind, change);
  }
}
