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

  return {
    get latestTime() {
      return latest;
    },

    async process(event) {
      if (options.dedupe) {
        const { added } = await state.addToSet("seen-events", [`${event.id}|${event.epochMs}`], {
          now: event.epochMs,
          expiresAt: event.epochMs + DAY,
        });
        if (added.length === 0) return [];
      }
      const findings: Finding[] = [];
      if (latest === undefined || event.epochMs > latest) latest = event.epochMs;
      // Deadlines strictly before this event (an event at the deadline can still meet it),
      // checked once per second of event time.
      if (latest - checkedTimersAt >= 1000) {
        checkedTimersAt = latest;
        findings.push(...(await runDueTimers(latest - 1)));
      }

      const entries = index.match(event.envelope);
      if (entries.length === 0) return findings;
      const context = contextAt(event.epochMs);
      let previousBucket: Awaited<ReturnType<BucketHistoryTracker["observe"]>>;
      for (const entry of entries) {
        try {
          if (entry.role === "tracker") context.networkChange = await tracker.observe(event);
          else if (entry.role === "history") previousBucket = await history.observe(event);
        } catch (error) {
          logger.warn("updating detection state failed", { role: entry.role, eventId: event.id, error });
        }
      }

      const stateful = new Map<StatefulDetection, boolean>();
      for (const entry of entries) {
        const spec = entry.spec;
        if (!spec) continue;
        if (!spec.stateful) {
          if (entry.role === "trigger")
            findings.push(...(await guard(spec, event, () => optional(spec.evaluate(event.envelope, config)))));
          continue;
        }
        stateful.set(spec, (stateful.get(spec) ?? false) || entry.role === "trigger");
      }
      // Detections that learn from tracked EC2 events see every change, even ones they do not fire on.
      if (context.networkChange) {
        for (const spec of trackerUsers) if (!stateful.has(spec)) stateful.set(spec, false);
      }
      for (const [spec, trigger] of stateful) {
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

function optional(draft: FindingDraft | undefined): FindingDraft[] {
  return draft ? [draft] : [];
}
