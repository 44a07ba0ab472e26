import type { RiposteConfig } from "../config/schema.js";
import type { CorrelationStore } from "../correlation/store.js";
import { type Location, locate } from "../geo/locate.js";
import { type Logger, silentLogger } from "../log.js";
import type { DetectionId } from "../model/catalog.js";
import type { SecurityEvent } from "../model/event.js";
import type { Finding } from "../model/incident.js";
import { cidrContains, parseCidr, parseIp } from "../net/ip.js";
import { compilePattern } from "../patterns/compile.js";
import { PatternIndex } from "../patterns/pattern-index.js";
import { createDetectionSpecs, type DetectionSpec, detectionPattern, statePattern } from "./catalog.js";
import type { ResourceDescriber } from "./describe.js";
import { completeFinding } from "./draft.js";
import { NetworkTracker, trackerPattern } from "./network/tracker.js";
import { BucketHistoryTracker, bucketHistoryPattern, withPrevious } from "./storage/history.js";
import type { CorrelationContext, FindingDraft, StatefulDetection } from "./types.js";

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
  /** Run only these detections (default: every enabled one). */
  detections?: readonly DetectionId[];
  /**
   * Process each event once even when it is delivered several times (the correlate function
   * receives one delivery per matching rule). Keyed on event id and time, for a day of event time.
   */
  dedupe?: boolean;
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
}

type Role = "trigger" | "state" | "tracker" | "history";

interface IndexEntry {
  role: Role;
  spec?: DetectionSpec;
}

const LOCATION_CACHE_LIMIT = 50_000;
const NO_FINDINGS: Finding[] = [];
const DAY = 24 * 60 * 60 * 1000;

export function createDetectionEngine(options: DetectionEngineOptions): DetectionEngine {
  const { config, state } = options;
  const logger = options.logger ?? silentLogger;
  const only = options.detections ? new Set(options.detections) : undefined;
  const specs = createDetectionSpecs().filter(
    (spec) => config.detections[spec.id]?.enabled !== false && (!only || only.has(spec.id)),
  );
  const byId = new Map(specs.map((spec) => [spec.id, spec]));

  const index = new PatternIndex<IndexEntry>();
  for (const spec of specs) {
    index.add({ role: "trigger", spec }, compilePattern(detectionPattern(spec, config)));
    // Detections that learn from the tracked EC2 events are called through the tracker's entry.
    const learn = statePattern(spec, config);
    if (learn && !learnsFromTracker(spec)) index.add({ role: "state", spec }, compilePattern(learn));
  }
  const trackerUsers = specs.filter(learnsFromTracker);
  if (trackerUsers.length > 0) index.add({ role: "tracker" }, compilePattern(trackerPattern()));
  const usesHistory = specs.some((spec) => spec.category === "storage");
  if (usesHistory) index.add({ role: "history" }, compilePattern(bucketHistoryPattern()));

  const tracker = new NetworkTracker(state, config);
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

  const contextAt = (now: number): CorrelationContext => ({
    config,
    state,
    now,
    locate: cachedLocate,
    isTrusted,
    logger,
    describe: options.describe,
    tracker,
  });

  const guard = async (
    spec: DetectionSpec,
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
      const owner = byId.get(timer.id.slice(0, timer.id.indexOf("|")) as DetectionId) as StatefulDetection | undefined;
      if (!owner?.onTimer) continue;
      const context = contextAt(timer.dueAt);
      findings.push(...(await guard(owner, undefined, () => owner.onTimer!(timer.payload, context))));
    }
    return findings;
  }

  /** Stateless findings of the matched entries (synchronous). */
  function statelessFindings(event: SecurityEvent, entries: readonly IndexEntry[]): Finding[] {
    const findings: Finding[] = [];
    for (const entry of entries) {
      const spec = entry.spec;
      if (!spec || spec.stateful || entry.role !== "trigger") continue;
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
  function statefulOf(entries: readonly IndexEntry[], tracked: boolean): Map<StatefulDetection, boolean> {
    const stateful = new Map<StatefulDetection, boolean>();
    for (const entry of entries) {
      const spec = entry.spec;
      if (spec?.stateful) stateful.set(spec, (stateful.get(spec) ?? false) || entry.role === "trigger");
    }
    // Detections that learn from tracked EC2 events see every change, even ones they do not fire on.
    if (tracked) for (const spec of trackerUsers) if (!stateful.has(spec)) stateful.set(spec, false);
    return stateful;
  }

  async function processMatched(event: SecurityEvent, entries: readonly IndexEntry[], context: CorrelationContext) {
    let previousBucket: Awaited<ReturnType<BucketHistoryTracker["observe"]>>;
    for (const entry of entries) {
      try {
        if (entry.role === "tracker") context.networkChange = await tracker.observe(event);
        else if (entry.role === "history") previousBucket = await history.observe(event);
      } catch (error) {
        logger.warn("updating detection state failed", { role: entry.role, eventId: event.id, error });
      }
    }
    const findings = statelessFindings(event, entries);
    for (const [spec, trigger] of statefulOf(entries, context.networkChange !== undefined)) {
      if (spec.skip?.(event, context, trigger)) continue;
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

  /**
   * One event: synchronous when nothing needs the store (no stateful detection left after its
   * cache-backed skip, no tracked change, no timer check), so the common event costs no promise.
   */
  function processNow(event: SecurityEvent): Finding[] | Promise<Finding[]> {
    if (options.dedupe) return processDeduped(event);
    if (latest === undefined || event.epochMs > latest) latest = event.epochMs;
    let timers: Promise<Finding[]> | undefined;
    // Deadlines strictly before this event (an event at the deadline can still meet it),
    // checked once per second of event time.
    if (latest - checkedTimersAt >= 1000) {
      checkedTimersAt = latest;
      timers = runDueTimers(latest - 1);
    }
    const entries = index.match(event.envelope);
    if (entries.length === 0) return timers ?? NO_FINDINGS;
    const context = contextAt(event.epochMs);
    const needsStore =
      entries.some((entry) => entry.role === "tracker" || entry.role === "history") ||
      [...statefulOf(entries, false)].some(([spec, trigger]) => !spec.skip?.(event, context, trigger)) ||
      (usesHistory && (event.envelope.detail as { eventName?: unknown }).eventName === "DeleteBucketPolicy");
    if (!needsStore && !timers) return statelessFindings(event, entries);
    return (async () => [
      ...(timers ? await timers : []),
      ...(needsStore ? await processMatched(event, entries, context) : statelessFindings(event, entries)),
    ])();
  }

  async function processDeduped(event: SecurityEvent): Promise<Finding[]> {
    const { added } = await state.addToSet("seen-events", [`${event.id}|${event.epochMs}`], {
      now: event.epochMs,
      expiresAt: event.epochMs + DAY,
    });
    if (added.length === 0) return [];
    if (latest === undefined || event.epochMs > latest) latest = event.epochMs;
    const findings: Finding[] = [];
    if (latest - checkedTimersAt >= 1000) {
      checkedTimersAt = latest;
      findings.push(...(await runDueTimers(latest - 1)));
    }
    const entries = index.match(event.envelope);
    if (entries.length === 0) return findings;
    return [...findings, ...(await processMatched(event, entries, contextAt(event.epochMs)))];
  }

  return {
    get latestTime() {
      return latest;
    },

    async process(event) {
      const result = await processNow(event);
      // The shared empty result is never handed out: callers may add to what they get.
      return result === NO_FINDINGS ? [] : result;
    },

    async processBatch(events) {
      const findings: Finding[] = [];
      for (const event of events) {
        const result = processNow(event);
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

function learnsFromTracker(spec: DetectionSpec): spec is StatefulDetection {
  return spec.stateful && spec.buildStatePattern === trackerPattern;
}
