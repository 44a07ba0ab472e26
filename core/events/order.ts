import type { ReadItem } from "./types.js";

/**
 * Re-orders a stream of events by event time with bounded memory. Files are read roughly in
 * time order, but records inside and across files interleave; events are held in a heap and
 * released once they are older than the newest time seen minus `latenessMs`, or when more than
 * `maxBuffered` are held. Errors pass through at once. Ties keep their arrival order. The default
 * lateness (15 min) covers CloudTrail's delivery delay (typically about 5 min) with files read in
 * delivery order; longer windows cost memory and garbage collection.
 */
export interface OrderOptions {
  latenessMs?: number;
  maxBuffered?: number;
}

export const DEFAULT_LATENESS_MS = 15 * 60 * 1000;
export const DEFAULT_MAX_BUFFERED = 100_000;

export async function* orderByEventTime(
  batches: AsyncIterable<ReadItem[]>,
  options: OrderOptions = {},
): AsyncIterable<ReadItem[]> {
  const lateness = options.latenessMs ?? DEFAULT_LATENESS_MS;
  const maxBuffered = options.maxBuffered ?? DEFAULT_MAX_BUFFERED;
  const heap = new EventHeap();
  let newest = Number.NEGATIVE_INFINITY;
  for await (const batch of batches) {
    const out: ReadItem[] = [];
    for (const item of batch) {
      if ("error" in item) {
        out.push(item);
        continue;
      }
      heap.push(item);
      if (item.event.epochMs > newest) newest = item.event.epochMs;
    }
    const watermark = newest - lateness;
    while (heap.size > 0 && (heap.peekTime() <= watermark || heap.size > maxBuffered)) out.push(heap.pop()!);
    if (out.length > 0) yield out;
  }
  const rest: ReadItem[] = [];
  while (heap.size > 0) rest.push(heap.pop()!);
  if (rest.length > 0) yield rest;
}

type EventItem = Extract<ReadItem, { event: unknown }>;

/**
 * A binary min-heap on (event time, arrival order), in parallel arrays so that nothing is
 * allocated per event; it moves a hole instead of swapping.
 */
class EventHeap {
  private readonly items: EventItem[] = [];
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

  push(item: EventItem): void {
    const { items, times, order } = this;
    const time = item.event.epochMs;
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

  pop(): EventItem | undefined {
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
