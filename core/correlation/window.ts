import { createHash } from "node:crypto";

/**
 * Counting in a sliding window of event time, for the threshold and distinct-count correlators
 * (`core/detections/correlate.ts`): the state of one group (one principal, say) as a plain JSON
 * value that the correlation store keeps as one item, and the pure function that adds an event to
 * it and says whether the event completed a window.
 *
 * A window is `windowMs` of event time: the sightings it counts all lie less than `windowMs`
 * apart. A threshold counts events (each event is its own value: a second delivery of the same
 * event, same id and time, counts once); a distinct count counts values, each kept at its latest
 * sighting. An event completes a window when some window that contains the event's time holds at
 * least `count` values not yet counted by an earlier finding; the finding counts every value of
 * that window, which are then spent. Events usually come in event-time order, and then the window
 * is the one that ends with the event; a late event is counted among the sightings around its own
 * time, as it would have been in order, as long as it is less than one window older than the
 * group's newest event (older ones are ignored: the state no longer holds what they would need).
 *
 * After a finding, `rearm` decides when the group may fire again: `window`, not before a window
 * has passed (no finding within `windowMs` of an earlier one, whichever order the events came in:
 * a burst that goes on is one finding per window, not one per event); `count`, as soon as `count`
 * new values have come (a brute force reported once per `count` attempts).
 *
 * The state is bounded: sightings and findings older than two windows before the newest event
 * are dropped, and at most `2 × count + 16` sightings are kept (the newest; spent ones go first),
 * which never changes the outcome for events in order. Long values and ids are shortened, a hash
 * keeping them distinct, so that the item stays well under DynamoDB's 400 KB.
 */

/** A sighting: event time, event id, value ("" for a threshold), note, and 1 once a finding spent it. */
export type Sighting = [at: number, id: string, value: string, note: string, spent: 0 | 1];

export interface WindowState {
  /** Earliest first; equal times in the order they came. */
  sightings: Sighting[];
  /** Event times of the findings made (each the time of the last sighting of its window). */
  fired: number[];
}

export interface WindowRule {
  /** Values (threshold: events) a window needs. */
  count: number;
  windowMs: number;
  /** When the group may fire again after a finding (see above). */
  rearm: "window" | "count";
  /** Distinct count (sightings of one value merge) or threshold (every event counts). */
  distinct: boolean;
}

export interface Observation {
  at: number;
  id: string;
  /** The values the event brings (distinct count); ignored for a threshold. */
  values: readonly string[];
  /** Kept with each of its sightings, for the finding (e.g. the source address). */
  note: string;
}

export interface WindowUpdate {
  /** The new state to store; undefined when the event changed nothing (a duplicate, too late). */
  next?: WindowState;
  /** The sightings of the window the event completed, earliest first: a finding. */
  counted?: Sighting[];
  /** When the new state may be forgotten (event time): two windows after its newest entry. */
  expiresAt?: number;
}

const MAX_TEXT = 160;

/** Text short enough to keep: long text becomes its start and a hash of the whole. */
export function keepable(text: string): string {
  if (text.length <= MAX_TEXT) return text;
  const hash = createHash("sha256").update(text).digest("hex").slice(0, 16);
  return `${text.slice(0, MAX_TEXT - 20)}…#${hash}`;
}

/** The most sightings a group keeps under `rule`. */
export const sightingLimit = (rule: WindowRule) => 2 * rule.count + 16;

const isSighting = (value: unknown): value is Sighting =>
  Array.isArray(value) &&
  value.length === 5 &&
  Number.isFinite(value[0]) &&
  typeof value[1] === "string" &&
  typeof value[2] === "string" &&
  typeof value[3] === "string" &&
  (value[4] === 0 || value[4] === 1);

/** Stored state as it was written; anything else (another shape, an older format) is a fresh start. */
export function readWindowState(value: unknown): WindowState {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { sightings: [], fired: [] };
  const { sightings, fired } = value as Partial<Record<keyof WindowState, unknown>>;
  return {
    sightings: Array.isArray(sightings) ? sightings.filter(isSighting).sort((a, b) => a[0] - b[0]) : [],
    fired: Array.isArray(fired) ? fired.filter((time): time is number => Number.isFinite(time)) : [],
  };
}

function newestOf(state: WindowState): number {
  let newest = Number.NEGATIVE_INFINITY;
  for (const sighting of state.sightings) if (sighting[0] > newest) newest = sighting[0];
  for (const time of state.fired) if (time > newest) newest = time;
  return newest;
}

/** Insert keeping the order: after every sighting at the same time or earlier. */
function insert(sightings: Sighting[], sighting: Sighting): void {
  let index = sightings.length;
  while (index > 0 && sightings[index - 1]![0] > sighting[0]) index--;
  sightings.splice(index, 0, sighting);
}

/** Add the event's sightings; false when it brings nothing new. */
function record(state: WindowState, observation: Observation, rule: WindowRule): boolean {
  const id = keepable(observation.id);
  const note = keepable(observation.note);
  if (!rule.distinct) {
    if (state.sightings.some((sighting) => sighting[0] === observation.at && sighting[1] === id)) return false;
    insert(state.sightings, [observation.at, id, "", note, 0]);
    return true;
  }
  let changed = false;
  const values = new Set(observation.values.filter((value) => value !== "").map(keepable));
  for (const value of [...values].slice(0, sightingLimit(rule))) {
    const index = state.sightings.findIndex((sighting) => sighting[2] === value);
    if (index >= 0) {
      // A value counts at its latest sighting: an earlier (late) or simultaneous one changes nothing.
      if (state.sightings[index]![0] >= observation.at) continue;
      state.sightings.splice(index, 1);
    }
    insert(state.sightings, [observation.at, id, value, note, 0]);
    changed = true;
  }
  return changed;
}

/** Drop what is two windows older than the newest entry, then the oldest sightings over the limit. */
function prune(state: WindowState, newest: number, rule: WindowRule): void {
  const horizon = newest - 2 * rule.windowMs;
  state.sightings = state.sightings.filter((sighting) => sighting[0] > horizon);
  state.fired = state.fired.filter((time) => time > horizon);
  let excess = state.sightings.length - sightingLimit(rule);
  if (excess <= 0) return;
  const spent = new Set(state.sightings.filter((sighting) => sighting[4] === 1).slice(0, excess));
  excess -= spent.size;
  state.sightings = state.sightings.filter((sighting) => !spent.has(sighting)).slice(Math.max(0, excess));
}

const keyOf = (sighting: Sighting, rule: WindowRule) => (rule.distinct ? sighting[2] : `${sighting[0]}|${sighting[1]}`);

/**
 * The first window (earliest start) that contains `at`, holds `count` values not yet spent and
 * may fire: its sightings, or undefined.
 */
function completedWindow(state: WindowState, at: number, rule: WindowRule): Sighting[] | undefined {
  const live = state.sightings.filter((sighting) => sighting[4] === 0);
  const counts = new Map<string, number>();
  let end = 0;
  for (let start = 0; start < live.length; start++) {
    const first = live[start]![0];
    if (first > at) break;
    // Bring in everything less than a window after this start.
    while (end < live.length && live[end]![0] < first + rule.windowMs) {
      const key = keyOf(live[end]!, rule);
      counts.set(key, (counts.get(key) ?? 0) + 1);
      end++;
    }
    if (first > at - rule.windowMs && counts.size >= rule.count) {
      const last = live[end - 1]![0];
      const quiet = rule.rearm === "window" && state.fired.some((time) => Math.abs(last - time) < rule.windowMs);
      if (!quiet) return live.slice(start, end);
    }
    // This start leaves the window.
    const key = keyOf(live[start]!, rule);
    const left = counts.get(key)! - 1;
    if (left === 0) counts.delete(key);
    else counts.set(key, left);
  }
  return undefined;
}

/** Add one event to a group's stored state (`current`, as read from the store or undefined). */
export function observeWindow(current: unknown, observation: Observation, rule: WindowRule): WindowUpdate {
  if (!Number.isFinite(observation.at)) return {};
  const state = readWindowState(current);
  const newest = newestOf(state);
  // Too late to count: the sightings it would need may already be gone.
  if (observation.at <= newest - rule.windowMs) return {};
  if (!record(state, observation, rule)) return {};
  const latest = Math.max(newest, observation.at);
  prune(state, latest, rule);
  const expiresAt = latest + 2 * rule.windowMs;
  const counted = completedWindow(state, observation.at, rule);
  if (!counted) return { next: state, expiresAt };
  for (const sighting of counted) sighting[4] = 1;
  if (rule.rearm === "window") state.fired.push(counted[counted.length - 1]![0]);
  return { next: state, counted: counted.map((sighting) => [...sighting] as Sighting), expiresAt };
}
