import type { RiposteConfig } from "../config/schema.js";
import { updateItem } from "../correlation/store.js";
import { observeWindow, type Sighting, type WindowRule, type WindowState } from "../correlation/window.js";
import type { SecurityEvent } from "../model/event.js";
import { callsPattern, type Found, type MatchContext, matchContext, type WatchedCalls, watches } from "./declare.js";
import { cloudTrailDraft, eventIdOf } from "./draft.js";
import { isObject, type Json } from "./record.js";
import type { CorrelationContext, DetectionText, EventPattern, FindingDraft, StatefulDetection } from "./types.js";

/**
 * Declared correlations: the three generic correlators of the catalog, as data plus the few
 * functions that read a record, turned into the catalog's `StatefulDetection`:
 *
 * - `declareThreshold`: at least N matching events of one group within a window (a brute force);
 * - `declareDistinctCount`: at least N distinct values of one group within a window (a principal
 *   reading many secrets);
 * - `declareFirstSeen`: a value never seen for its group within a lookback (a sign-in from a new
 *   address), once the group's baseline is older than a learning period.
 *
 * Their state lives in the correlation store (memory, SQLite or DynamoDB) under one key per group,
 * and every time in it is event time: the local engine and the correlate function, which both run
 * this code, find the same thing, and replaying old logs finds what live processing found. The
 * window semantics (order, late events, one finding per window) are in `core/correlation/window.ts`.
 *
 * The candidate events are either API calls, declared as for `declareDetection` (successful calls
 * only: `calls` and `where`), or, for events that are not successful calls (failed sign-ins), an
 * EventBridge pattern of their own (`pattern`). Loop prevention is added by the catalog either way.
 */

/** What the functions of a correlation may use besides the record. */
export interface CorrelationMatchContext extends MatchContext {
  /** The event's time (epoch ms). */
  now: number;
  locate: CorrelationContext["locate"];
  isTrusted: CorrelationContext["isTrusted"];
}

interface CorrelationDeclarationBase extends Omit<DetectionText, "loopPrevention"> {
  /** ASFF finding types (`namespace/category/classifier`), for `scan --format asff` and OCSF. */
  asff: readonly string[];
  /** The candidate API calls, one entry per service (successful calls only)… */
  calls?: readonly WatchedCalls[];
  /** …with more conditions on the record, in EventBridge pattern syntax (see `declareDetection`). */
  where?: (config: RiposteConfig) => EventPattern;
  /** …or the candidate events as a pattern of their own (then every event it selects counts). */
  pattern?: (config: RiposteConfig) => EventPattern;
  /** The group an event counts in (its principal, say); undefined or "": the event does not count. */
  group(record: Json, context: CorrelationMatchContext): string | undefined;
  /** The correlation store key of a group's state (default `<id>|<group>`). */
  stateKey?(group: string): string;
}

/** A counted event of a threshold: its id, its time and what `note` kept of it. */
export interface CountedEvent {
  id: string;
  at: number;
  note: string;
}

export interface ThresholdDeclaration extends CorrelationDeclarationBase {
  /** N events within `windowMinutes`. */
  threshold(config: RiposteConfig): { count: number; windowMinutes: number };
  /** After a finding: quiet for a window (default) or fire again after N more events. */
  rearm?: "window" | "count";
  /** What to keep of each event for the finding (e.g. its source address; short text). */
  note?(record: Json, context: CorrelationMatchContext): string;
  /** The finding, given the event that completed the window and the events counted (earliest first). */
  found(record: Json, counted: CountedEvent[], context: CorrelationMatchContext): Found | undefined;
}

/** A counted value of a distinct count, at its latest sighting in the window. */
export interface CountedValue {
  value: string;
  id: string;
  at: number;
}

export interface DistinctCountDeclaration extends CorrelationDeclarationBase {
  /** N distinct values within `windowMinutes`. */
  threshold(config: RiposteConfig): { count: number; windowMinutes: number };
  /** The values an event brings (none: it does not count). Long values are kept shortened. */
  values(record: Json, context: CorrelationMatchContext): readonly string[];
  /** The finding, given the event that completed the window and the values counted (earliest first). */
  found(record: Json, counted: CountedValue[], context: CorrelationMatchContext): Found | undefined;
}

export interface FirstSeenDeclaration extends CorrelationDeclarationBase {
  /** The values an event brings (none: nothing to learn). */
  values(record: Json, context: CorrelationMatchContext): readonly string[];
  /**
   * `lookbackDays`: how long a value stays known after it was last seen. `learningDays`: no
   * finding while the group's oldest known value was first seen less than this before the event
   * (0: a group needs one other known value, whenever it was seen).
   */
  baseline(config: RiposteConfig): { lookbackDays: number; learningDays: number };
  /** The finding, given the event and its values new to the group; undefined to stay quiet (still learned). */
  found(record: Json, fresh: string[], context: CorrelationMatchContext): Found | undefined;
}

/** A declared correlation, ready for the catalog. */
export type DeclaredCorrelation = StatefulDetection & { readonly asff: readonly string[] };

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Values of one event a first-seen correlation learns at most (a forged record can list thousands). */
const MAX_FIRST_SEEN_VALUES = 32;

function candidatePattern(declaration: CorrelationDeclarationBase, config: RiposteConfig): EventPattern {
  if (declaration.pattern && declaration.calls) {
    throw new Error(`detection ${declaration.id}: declare either calls or a pattern, not both`);
  }
  if (declaration.pattern) return declaration.pattern(config);
  if (!declaration.calls) throw new Error(`detection ${declaration.id} declares neither calls nor a pattern`);
  return callsPattern({ id: declaration.id, calls: declaration.calls, where: declaration.where }, config);
}

/** The record of a candidate event, or undefined when it cannot count (not a watched successful call). */
function candidate(declaration: CorrelationDeclarationBase, event: SecurityEvent): Json | undefined {
  const record = event.envelope.detail as unknown;
  if (!isObject(record)) return undefined;
  if (!declaration.calls) return record;
  if (!watches({ calls: declaration.calls }, record)) return undefined;
  // EventBridge filtered failed calls already; a record replayed from an archive may not have been.
  if (record.errorCode !== undefined && record.errorCode !== null && record.errorCode !== "") return undefined;
  return record;
}

function contextFor(record: Json, context: CorrelationContext): CorrelationMatchContext {
  return {
    ...matchContext(record, context.config),
    now: context.now,
    locate: context.locate,
    isTrusted: context.isTrusted,
  };
}

/** The parts of a StatefulDetection every declared correlation shares. */
function base(declaration: CorrelationDeclarationBase) {
  const { calls: _calls, where: _where, pattern: _pattern, group: _group, stateKey: _stateKey, ...text } = declaration;
  return {
    ...text,
    stateful: true as const,
    buildPattern: (config: RiposteConfig) => candidatePattern(declaration, config),
  };
}

const keyOf = (declaration: CorrelationDeclarationBase, group: string) =>
  declaration.stateKey ? declaration.stateKey(group) : `${declaration.id}|${group}`;

function draftOf(event: SecurityEvent, found: Found, eventIds?: string[]): FindingDraft {
  const draft = cloudTrailDraft(event.envelope, {
    resource: found.resource,
    summary: found.summary,
    facts: found.facts,
  });
  return {
    ...draft,
    ...(found.severity ? { severity: found.severity } : {}),
    ...(eventIds ? { eventIds: [...new Set(eventIds)] } : {}),
  };
}

/** Add the event to its group's window; the sightings of the window it completed, if any. */
async function countInWindow(
  context: CorrelationContext,
  key: string,
  rule: WindowRule,
  observation: Parameters<typeof observeWindow>[1],
): Promise<Sighting[] | undefined> {
  let counted: Sighting[] | undefined;
  let expiresAt = context.now + 2 * rule.windowMs;
  await updateItem<WindowState>(
    context.state,
    key,
    context.now,
    () => expiresAt,
    (current) => {
      // Recomputed on every attempt: an attempt that lost to another writer leaves nothing behind.
      const update = observeWindow(current, observation, rule);
      counted = update.counted;
      if (update.expiresAt !== undefined) expiresAt = update.expiresAt;
      return update.next;
    },
  );
  return counted;
}

function windowRule(
  declaration: { id: string; threshold(config: RiposteConfig): { count: number; windowMinutes: number } },
  config: RiposteConfig,
  rearm: WindowRule["rearm"],
  distinct: boolean,
): WindowRule {
  const { count, windowMinutes } = declaration.threshold(config);
  if (!Number.isInteger(count) || count < 1 || !(windowMinutes > 0)) {
    throw new Error(`detection ${declaration.id}: a window needs a count of at least 1 and a positive length`);
  }
  return { count, windowMs: windowMinutes * MINUTE, rearm, distinct };
}

/** ≥ N matching events of one group within a window (Panther's threshold rules). */
export function declareThreshold(declaration: ThresholdDeclaration): DeclaredCorrelation {
  const { threshold: _threshold, rearm = "window", note: _note, found: _found, ...rest } = declaration;
  return {
    ...base(rest),
    async correlate(event, context, trigger) {
      const record = trigger ? candidate(declaration, event) : undefined;
      if (!record) return [];
      const match = contextFor(record, context);
      const group = declaration.group(record, match);
      if (!group) return [];
      const rule = windowRule(declaration, context.config, rearm, false);
      const counted = await countInWindow(context, keyOf(declaration, group), rule, {
        at: context.now,
        id: eventIdOf(event.envelope),
        values: [],
        note: declaration.note?.(record, match) ?? "",
      });
      if (!counted) return [];
      const events = counted.map(([at, id, , note]) => ({ id, at, note }));
      const found = declaration.found(record, events, match);
      return found
        ? [
            draftOf(
              event,
              found,
              events.map((counted) => counted.id),
            ),
          ]
        : [];
    },
  };
}

/** ≥ N distinct values of one group within a window. */
export function declareDistinctCount(declaration: DistinctCountDeclaration): DeclaredCorrelation {
  const { threshold: _threshold, values: _values, found: _found, ...rest } = declaration;
  return {
    ...base(rest),
    async correlate(event, context, trigger) {
      const record = trigger ? candidate(declaration, event) : undefined;
      if (!record) return [];
      const match = contextFor(record, context);
      const values = declaration.values(record, match);
      if (values.length === 0) return [];
      const group = declaration.group(record, match);
      if (!group) return [];
      const rule = windowRule(declaration, context.config, "window", true);
      const counted = await countInWindow(context, keyOf(declaration, group), rule, {
        at: context.now,
        id: eventIdOf(event.envelope),
        values,
        note: "",
      });
      if (!counted) return [];
      const distinct = counted.map(([at, id, value]) => ({ value, id, at }));
      const found = declaration.found(record, distinct, match);
      return found
        ? [
            draftOf(
              event,
              found,
              distinct.map((counted) => counted.id),
            ),
          ]
        : [];
    },
  };
}

/** A value never seen for its group within the lookback (Elastic's new terms), after a learning period. */
export function declareFirstSeen(declaration: FirstSeenDeclaration): DeclaredCorrelation {
  const { baseline: _baseline, values: _values, found: _found, ...rest } = declaration;
  return {
    ...base(rest),
    async correlate(event, context, trigger) {
      const record = trigger ? candidate(declaration, event) : undefined;
      if (!record) return [];
      const match = contextFor(record, context);
      const values = [...new Set(declaration.values(record, match).filter(Boolean))].slice(0, MAX_FIRST_SEEN_VALUES);
      if (values.length === 0) return [];
      const group = declaration.group(record, match);
      if (!group) return [];
      const key = keyOf(declaration, group);
      const { lookbackDays, learningDays } = declaration.baseline(context.config);
      const { added, size } = await context.state.addToSet(key, values, {
        now: context.now,
        expiresAt: context.now + lookbackDays * DAY,
      });
      // Nothing new, or nothing known besides: the group has no baseline to be new against.
      if (added.length === 0 || size - added.length <= 0) return [];
      if (learningDays > 0 && !(await learnedFor(context, key, added, learningDays * DAY))) return [];
      const found = declaration.found(record, added, match);
      return found ? [draftOf(event, found)] : [];
    },
  };
}

/** Whether the group's oldest known value (other than those just added) was first seen `learning` ago or more. */
async function learnedFor(
  context: CorrelationContext,
  key: string,
  added: readonly string[],
  learning: number,
): Promise<boolean> {
  const fresh = new Set(added);
  let oldest = Number.POSITIVE_INFINITY;
  for (const { member, firstSeen } of await context.state.datedMembers(key, context.now)) {
    if (fresh.has(member)) continue;
    // A member stored before first-seen times were kept has been known since some earlier time.
    const since = firstSeen ?? Number.NEGATIVE_INFINITY;
    if (since < oldest) oldest = since;
  }
  return context.now - oldest >= learning;
}
