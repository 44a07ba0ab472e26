import type { CorrelationStore, DatedMember, PutOptions, StoredItem, Timer } from "../correlation/store.js";

/**
 * In-process correlation state (`riposte scan`, tests). Values are copied in and out, so callers
 * can never alias stored state; expired entries are swept as writes accumulate, keeping memory
 * bounded by what is live in event time, not by the input.
 */
/** Deeper than this, a value is copied by `structuredClone` (which also handles cycles). */
const PLAIN_COPY_DEPTH = 32;

class NotPlain extends Error {}

function copyPlain(value: unknown, depth: number): unknown {
  if (value === null || (typeof value !== "object" && typeof value !== "function" && typeof value !== "symbol")) {
    return value;
  }
  if (typeof value !== "object" || depth > PLAIN_COPY_DEPTH) throw new NotPlain();
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) throw new NotPlain();
      copy[i] = copyPlain(value[i], depth + 1);
    }
    return copy;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) throw new NotPlain();
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = copyPlain((value as Record<string, unknown>)[key], depth + 1);
  return copy;
}

/**
 * A copy of a stored value. State is JSON data (the SQLite store keeps it as JSON text), which is
 * copied directly, ten times cheaper than `structuredClone`; anything else (dates, maps, holes,
 * cycles, functions) goes through `structuredClone`, with its results and errors.
 */
function copyValue<T>(value: T): T {
  try {
    return copyPlain(value, 0) as T;
  } catch (error) {
    if (error instanceof NotPlain) return structuredClone(value);
    throw error;
  }
}

/** A set member: until when it counts, and since when (event time) in its current run. */
interface SetEntry {
  expiresAt: number;
  firstSeen: number;
}

export class MemoryCorrelationStore implements CorrelationStore {
  private readonly items = new Map<string, { value: unknown; version: number; expiresAt: number }>();
  private readonly sets = new Map<string, Map<string, SetEntry>>();
  private readonly timers = new Map<string, Timer>();
  private readonly due = new TimerHeap();
  private writes = 0;
  private latest = Number.NEGATIVE_INFINITY;

  /** Sweep after this many writes (amortised cleanup). */
  constructor(private readonly sweepEvery = 50_000) {}

  async get<T>(key: string, now: number): Promise<StoredItem<T> | undefined> {
    const item = this.items.get(key);
    if (!item || item.expiresAt <= now) return undefined;
    return { value: copyValue(item.value) as T, version: item.version, expiresAt: item.expiresAt };
  }

  async put<T>(key: string, value: T, options: PutOptions): Promise<boolean> {
    const current = this.items.get(key);
    const live = current && current.expiresAt > options.now ? current : undefined;
    if (options.ifVersion !== undefined && (live?.version ?? 0) !== options.ifVersion) return false;
    this.items.set(key, {
      value: copyValue(value),
      version: (live?.version ?? 0) + 1,
      expiresAt: options.expiresAt,
    });
    this.wrote(options.now);
    return true;
  }

  async delete(key: string): Promise<void> {
    this.items.delete(key);
  }

  async addToSet(key: string, members: readonly string[], options: { now: number; expiresAt: number }) {
    let set = this.sets.get(key);
    if (!set) {
      set = new Map();
      this.sets.set(key, set);
    }
    const added: string[] = [];
    for (const member of members) {
      const entry = set.get(member);
      if (entry === undefined || entry.expiresAt <= options.now) {
        added.push(member);
        set.set(member, { expiresAt: Math.max(entry?.expiresAt ?? 0, options.expiresAt), firstSeen: options.now });
      } else {
        if (options.expiresAt > entry.expiresAt) entry.expiresAt = options.expiresAt;
        if (options.now < entry.firstSeen) entry.firstSeen = options.now;
      }
    }
    let size = 0;
    for (const entry of set.values()) if (entry.expiresAt > options.now) size++;
    this.wrote(options.now);
    return { added, size };
  }

  async members(key: string, now: number): Promise<string[]> {
    const set = this.sets.get(key);
    if (!set) return [];
    return [...set].filter(([, entry]) => entry.expiresAt > now).map(([member]) => member);
  }

  async datedMembers(key: string, now: number): Promise<DatedMember[]> {
    const set = this.sets.get(key);
    if (!set) return [];
    return [...set]
      .filter(([, entry]) => entry.expiresAt > now)
      .map(([member, entry]) => ({ member, firstSeen: entry.firstSeen }));
  }

  async removeFromSet(key: string, members: readonly string[]): Promise<void> {
    const set = this.sets.get(key);
    if (!set) return;
    for (const member of members) set.delete(member);
    if (set.size === 0) this.sets.delete(key);
  }

  async schedule(timer: Timer): Promise<void> {
    const copy = { id: timer.id, dueAt: timer.dueAt, payload: copyValue(timer.payload) };
    this.timers.set(timer.id, copy);
    this.due.push(copy);
  }

  async cancel(id: string): Promise<void> {
    this.timers.delete(id);
  }

  async takeDue(upTo: number, limit = Number.POSITIVE_INFINITY): Promise<Timer[]> {
    const taken: Timer[] = [];
    while (taken.length < limit) {
      const next = this.due.peek();
      if (!next || next.dueAt > upTo) break;
      this.due.pop();
      // Skip cancelled or rescheduled entries (the map holds the live one).
      if (this.timers.get(next.id) !== next) continue;
      this.timers.delete(next.id);
      taken.push({ id: next.id, dueAt: next.dueAt, payload: copyValue(next.payload) });
    }
    return taken;
  }

  earliestDue(): number | undefined {
    // Cancelled and rescheduled entries stay in the heap until taken: the answer may be early.
    return this.due.peek()?.dueAt;
  }

  async sweep(now: number): Promise<number> {
    let removed = 0;
    for (const [key, item] of this.items) {
      if (item.expiresAt <= now) {
        this.items.delete(key);
        removed++;
      }
    }
    for (const [key, set] of this.sets) {
      for (const [member, entry] of set) {
        if (entry.expiresAt <= now) {
          set.delete(member);
          removed++;
        }
      }
      if (set.size === 0) this.sets.delete(key);
    }
    return removed;
  }

  /** Entries held (items, set members, timers): for tests and memory checks. */
  get size(): number {
    let members = 0;
    for (const set of this.sets.values()) members += set.size;
    return this.items.size + members + this.timers.size;
  }

  private wrote(now: number): void {
    if (now > this.latest) this.latest = now;
    if (++this.writes % this.sweepEvery === 0) void this.sweep(this.latest);
  }
}

class TimerHeap {
  private readonly items: Timer[] = [];

  peek(): Timer | undefined {
    return this.items[0];
  }

  push(timer: Timer): void {
    const items = this.items;
    items.push(timer);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]!.dueAt <= items[i]!.dueAt) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): Timer | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        let smallest = i;
        if (left < items.length && items[left]!.dueAt < items[smallest]!.dueAt) smallest = left;
        if (left + 1 < items.length && items[left + 1]!.dueAt < items[smallest]!.dueAt) smallest = left + 1;
        if (smallest === i) break;
        [items[i], items[smallest]] = [items[smallest]!, items[i]!];
        i = smallest;
      }
    }
    return top;
  }
}
