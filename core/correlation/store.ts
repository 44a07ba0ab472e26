/**
 * The state stateful detections keep between events: items with optimistic versions, sets of
 * members (baselines), and timers (deadlines such as "not revoked 24 h later"). Every expiry is
 * in event time — the caller passes `now`, the time of the event being processed — so replaying
 * old logs behaves exactly like live processing.
 *
 * The interface is shaped for DynamoDB: an item is one row with a version attribute and a TTL
 * (`put` with `ifVersion` is a conditional write), a set member is one row under the set's key
 * (so `addToSet` can report which members are new), and timers are rows of a "due" partition
 * sorted by due time. Implementations: `MemoryCorrelationStore`, `SqliteCorrelationStore`.
 */

export interface StoredItem<T> {
  value: T;
  /** Increments with every write; 0 never occurs for a stored item. */
  version: number;
  expiresAt: number;
}

export interface PutOptions {
  /** Event time of the write: an item expired by then counts as absent. */
  now: number;
  expiresAt: number;
  /** Write only when the stored version is this one (0: only when absent or expired). */
  ifVersion?: number;
}

/** A set member with the event time it joined the set. */
export interface DatedMember {
  member: string;
  /**
   * The earliest add of the member's current run (re-adding an expired member starts a new run);
   * undefined for members stored before these times were kept (present since some earlier time).
   * On DynamoDB a late add, older than the member's latest one, does not move it earlier.
   */
  firstSeen?: number;
}

export interface Timer {
  id: string;
  dueAt: number;
  payload: unknown;
}

export interface CorrelationStore {
  /** The item, unless absent or expired at `now`. */
  get<T>(key: string, now: number): Promise<StoredItem<T> | undefined>;
  /** Write an item; false when `ifVersion` did not match (someone else wrote first). */
  put<T>(key: string, value: T, options: PutOptions): Promise<boolean>;
  delete(key: string): Promise<void>;
  /**
   * Add members to a set (refreshing the expiry of those already there); returns the members
   * that were not present (or had expired) before, and the set's size after.
   */
  addToSet(
    key: string,
    members: readonly string[],
    options: { now: number; expiresAt: number },
  ): Promise<{
    added: string[];
    size: number;
  }>;
  /** The unexpired members of a set. */
  members(key: string, now: number): Promise<string[]>;
  /** The unexpired members of a set with when each joined: what a baseline held before a given event. */
  datedMembers(key: string, now: number): Promise<DatedMember[]>;
  removeFromSet(key: string, members: readonly string[]): Promise<void>;
  /** Create or replace a timer. */
  schedule(timer: Timer): Promise<void>;
  cancel(id: string): Promise<void>;
  /** Remove and return the timers due at or before `upTo`, earliest first. */
  takeDue(upTo: number, limit?: number): Promise<Timer[]>;
  /**
   * No timer is due before the time returned (undefined: no timer at all) — offered by a store
   * that holds its timers in this process, so that the engine need not ask `takeDue` for each
   * second of event time (a scan's hundreds of thousands of events); may be early, never late.
   */
  earliestDue?(): number | undefined;
  /** Drop what expired before `now` (DynamoDB's TTL does this on its own). */
  sweep(now: number): Promise<number>;
}

/**
 * Read-modify-write with optimistic concurrency: `change` gets the current value (or undefined)
 * and returns the new one (or undefined to leave it); retried when another writer got in first,
 * so `change` must not keep anything from an attempt that lost. `expiresAt` may depend on the
 * new value (state that lives as long as its newest entry).
 */
export async function updateItem<T>(
  store: CorrelationStore,
  key: string,
  now: number,
  expiresAt: number | ((next: T) => number),
  change: (current: T | undefined) => T | undefined,
): Promise<T | undefined> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const current = await store.get<T>(key, now);
    const next = change(current?.value);
    if (next === undefined) return current?.value;
    const expiry = typeof expiresAt === "function" ? expiresAt(next) : expiresAt;
    if (await store.put(key, next, { now, expiresAt: expiry, ifVersion: current?.version ?? 0 })) return next;
  }
  throw new Error(`correlation state ${key} kept changing under concurrent writers`);
}
