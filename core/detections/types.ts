import type { RiposteConfig } from "../config/schema.js";
import type { CorrelationStore } from "../correlation/store.js";
import type { Location } from "../geo/locate.js";
import type { Logger } from "../log.js";
import type { RemediationActionId } from "../model/actions.js";
import type { Category, DetectionId, Severity } from "../model/catalog.js";
import type { EventEnvelope, SecurityEvent } from "../model/event.js";
import type { Finding, FindingDetection } from "../model/incident.js";
import type { ResourceDescriber } from "./describe.js";
import type { Json } from "./record.js";

/** An EventBridge event pattern (JSON object). */
export type EventPattern = Record<string, unknown>;

/** What a detection does by default once it fires (a detection's configured mode overrides it). */
export interface DetectionResponse {
  mode: "auto" | "approval" | "notify";
  /** Remediation action id; absent when the response is notify only (or mapped per finding type). */
  action?: RemediationActionId;
}

/** The part of a finding a detection computes; the rest comes from the catalog entry. */
export type FindingDraft = Omit<Finding, "detection" | "category" | "title" | "severity" | "evidence" | "facts"> & {
  severity?: Severity;
  facts: Record<string, unknown>;
  evidence?: unknown[];
};

/** `Id`: a built-in detection's (`DetectionId`), or for a user's rule its `RuleId`. */
export interface DetectionText<Id extends FindingDetection = DetectionId> {
  id: Id;
  title: string;
  category: Category;
  severity: Severity;
  attack: { id: string; name: string };
  /** What the detection means, in a sentence or two. */
  description: string;
  /** Why it matters. */
  why: string;
  /** How to tune it (the settings that change it, and what to do about noise). */
  tuning: string;
  response: DetectionResponse;
  /**
   * How events made by Riposte's own role are kept out: on the CloudTrail principal (default),
   * on the access key's user of a GuardDuty finding, or not applicable (no principal in the event).
   */
  loopPrevention?: "cloudtrail" | "guardduty" | "not-applicable";
  /**
   * The detection watches read-only management calls (Get/List/Describe), which EventBridge
   * delivers only to rules in the `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS` state.
   * (Detections whose pattern selects any API call are recognised without it: `infra/rules.ts`.)
   */
  readOnlyCalls?: boolean;
}

/** Everything a stateful detection may use while handling one event. */
export interface CorrelationContext {
  config: RiposteConfig;
  state: CorrelationStore;
  /** Event time of the event being processed (epoch ms); all expiry is relative to it. */
  now: number;
  locate(ip: string): Location;
  /** Whether an address is in `trustedCidrs` (precompiled by the engine). */
  isTrusted(ip: string): boolean;
  logger: Logger;
  describe?: ResourceDescriber;
  /** The engine's tracker of a kind (see `TrackerKind`). */
  tracker<T extends Tracker<C>, C>(kind: TrackerKind<T, C>): T;
  /** What this event changed in that tracker's knowledge: undefined when nothing, or not a tracked event. */
  changed<T extends Tracker<C>, C>(kind: TrackerKind<T, C>): C | undefined;
}

/** Knowledge kept from the event stream: `observe` updates it with one event and returns what changed. */
export interface Tracker<Change> {
  observe(event: SecurityEvent): Promise<Change | undefined>;
}

/**
 * A kind of knowledge several detections share, kept from the event stream (what each security
 * group lets in, for the network detections). The engine keeps one tracker per kind, updates it
 * with every event `pattern` selects — Riposte's own included, before any detection sees the
 * event — and calls the detections that learn from it (their `buildStatePattern` is the kind's
 * `pattern`) on every change, even one they do not fire on.
 */
export interface TrackerKind<T extends Tracker<Change>, Change> {
  readonly name: string;
  /** The events that may change what the tracker knows (deployed without loop prevention). */
  pattern(): EventPattern;
  /** True when `observe` certainly leaves this record alone (no state read or written). */
  ignores(record: Json): boolean;
  create(state: CorrelationStore, config: RiposteConfig): T;
}

/** A detection that looks at one event at a time: a pattern plus the check the pattern cannot express. */
export interface StatelessDetection<Id extends FindingDetection = DetectionId> extends DetectionText<Id> {
  stateful: false;
  /** The candidate events, loop prevention excluded (added by `detectionPattern`). */
  buildPattern(config: RiposteConfig): EventPattern;
  /** The finding in a candidate event, or undefined when the event does not qualify. */
  evaluate(envelope: EventEnvelope, config: RiposteConfig): FindingDraft | undefined;
  /**
   * A check `evaluate` also makes, pure and on the record alone (a user's rule's condition): a
   * candidate failing it is dropped where it is matched — in `scan`'s reader threads, before the
   * event crosses to the engine's thread — since `evaluate` would give nothing for it.
   */
  qualifies?(record: Json): boolean;
}

/** A detection that correlates events through the correlation store (a user's correlated rule: `Id` a `RuleId`). */
export interface StatefulDetection<Id extends FindingDetection = DetectionId> extends DetectionText<Id> {
  stateful: true;
  /** Events that may complete a finding (loop prevention added by `detectionPattern`). */
  buildPattern(config: RiposteConfig): EventPattern;
  /**
   * Events that only update state (e.g. revocations, which must be seen even when Riposte made
   * them). Without loop prevention: they never fire.
   */
  buildStatePattern?(config: RiposteConfig): EventPattern;
  /** Handle a candidate (`trigger`: it matched `buildPattern`) and return findings. */
  correlate(event: SecurityEvent, context: CorrelationContext, trigger: boolean): Promise<FindingDraft[]>;
  /** A timer this detection scheduled fell due (`payload` as scheduled). */
  onTimer?(payload: unknown, context: CorrelationContext): Promise<FindingDraft[]>;
  /** Evaluate what is pending at the end of input (e.g. rules still open), at `context.now`. */
  finish?(context: CorrelationContext): Promise<FindingDraft[]>;
}
