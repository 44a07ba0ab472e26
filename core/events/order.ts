import type { ReadItem } from "./types.js";

/**
 * Re-orders a stream of events by event time with bounded memory. Files are read roughly in
 * time order, but records inside and across files interleave; events are held in a heap and
 * released once they are older than the newest time seen minus `latenessMs`, or when more than
 * `maxBuffered` are held. Errors pass through at once. Ties keep their arrival order. The default
 * lateness (15 min) covers CloudTrail's delivery delay (typically about 5 min) with files read in
 * delivery order; longer windows cost memory and garbage collection. An event that arrives after a
 * later one was released (beyond the window or the buffer bound) is released at once, out of
 * order, and counted as late.
 */
export interface OrderOptions {
  latenessMs?: number;
  maxBuffered?: number;
}

export const DEFAULT_LATENESS_MS = 15 * 60 * 1000;
export const DEFAULT_MAX_BUFFERED = 100_000;

/** What the ordering could not do, for the caller to report. */
export interface OrderStats {
  /** Events released out of event-time order: a later event had already been released. */
  late: number;
}

export async function* orderByEventTime(
  batches: AsyncIterable<ReadItem[]>,
  options: OrderOptions = {},
  stats?: OrderStats,
): AsyncIterable<ReadItem[]> {
  const order = new TimeOrder<ReadItem>(options);
  for await (const batch of batches) {
    const out: ReadItem[] = [];
    for (const item of batch) {
      if ("error" in item) out.push(item);
      else order.add(item, item.event.epochMs);
    }
    order.release(out);
    if (stats) stats.late = order.late;
    if (out.length > 0) yield out;
  }
  const rest: ReadItem[] = [];
  order.drain(rest);
  if (rest.length > 0) yield rest;
}

/**
 * The re-ordering buffer itself, for any item with a time: add a batch's items, then release
 * what is due. `orderByEventTime` is this over read items.
 */
export class TimeOrder<T> {
  private readonly heap = new TimeHeap<T>();
  private readonly lateness: number;
  private readonly maxBuffered: number;
  private newest = Number.NEGATIVE_INFINITY;
  /** The latest time released so far: an item added before it can only be released out of order. */
  private released = Number.NEGATIVE_INFINITY;
  private lateItems = 0;

  constructor(options: OrderOptions = {}) {
    this.lateness = options.latenessMs ?? DEFAULT_LATENESS_MS;
    this.maxBuffered = options.maxBuffered ?? DEFAULT_MAX_BUFFERED;
  }

  get size(): number {
    return this.heap.size;
  }

  /** Items added after a later item had been released (so released out of time order). */
  get late(): number {
    return this.lateItems;
  }

  add(item: T, time: number): void {
    this.heap.push(item, time);
    if (time > this.newest) this.newest = time;
    else if (time < this.released) this.lateItems++;
  }

  /** Appends to `out`, in order, the items older than the newest time minus the lateness (or over the cap). */
  release(out: T[]): void {
    const heap = this.heap;
    const watermark = this.newest - this.lateness;
    let time = heap.peekTime();
    let last = this.released;
    while (heap.size > 0 && (time <= watermark || heap.size > this.maxBuffered)) {
      out.push(heap.pop()!);
      last = time;
      time = heap.peekTime();
    }
    // Items come out in time order, so the last one is the latest (late items sort before it).
    if (last > this.released) this.released = last;
  }

  /** Appends every item left, in order. */
  drain(out: T[]): void {
    const heap = this.heap;
    let last = this.released;
    while (heap.size > 0) {
      last = heap.peekTime();
      out.push(heap.pop()!);
    }
    if (last > this.released) this.released = last;
  }
}

/**
 * A binary min-heap on (event time, arrival order), in parallel arrays so that nothing is
 * allocated per event; it moves a hole instead of swapping.
 */
class TimeHeap<T> {
  private readonly items: T[] = [];
  private readonly times: number[] = [];
  private readonly order: number[] = [];
  private arrivals = 0;

  get size(): number {
    return this.items.length;
  }

  peekTime(): number {
    return this.times[0] ?? Number.POSITIVE_INFINITY;
  }

  private before(timeA: number, orderA: number, timeB: number, orderB: number): boolean {
    return timeA < timeB || (timeA === timeB && orderA < orderB);
  }

  push(item: T, time: number): void {
    const { items, times, order } = this;
    const arrival = this.arrivals++;
    let i = items.length;
    items.push(item);
    times.push(time);
    order.push(arrival);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(time, arrival, times[parent]!, order[parent]!)) break;
      items[i] = items[parent]!;
      times[i] = times[parent]!;
      order[i] = order[parent]!;
      i = parent;
    }
    items[i] = item;
    times[i] = time;
    order[i] = arrival;
  }

  pop(): T | undefined {
    const { items, times, order } = this;
    const top = items[0];
    const last = items.pop();
    const lastTime = times.pop()!;
    const lastOrder = order.pop()!;
    const length = items.length;
    if (length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= length) break;
      const right = left + 1;
      const child =
        right < length && this.before(times[right]!, order[right]!, times[left]!, order[left]!) ? right : left;
      if (!this.before(times[child]!, order[child]!, lastTime, lastOrder)) break;
      items[i] = items[child]!;
      times[i] = times[child]!;
      order[i] = order[child]!;
      i = child;
    }
    items[i] = last;
    times[i] = lastTime;
    order[i] = lastOrder;
    return top;
  }
}
