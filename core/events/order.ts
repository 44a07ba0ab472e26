import type { SecurityEvent } from "../model/event.js";
import type { ReadItem } from "./types.js";

/**
 * Re-orders a stream of events by event time with bounded memory. Files are read roughly in
 * time order, but records inside and across files interleave; events are held in a heap and
 * released once they are older than the newest time seen minus `latenessMs`, or when more than
 * `maxBuffered` are held. Errors pass through at once. Ties keep their arrival order.
 */
export interface OrderOptions {
  latenessMs?: number;
  maxBuffered?: number;
}

interface Entry {
  event: SecurityEvent;
  seq: number;
}

export const DEFAULT_LATENESS_MS = 30 * 60 * 1000;
export const DEFAULT_MAX_BUFFERED = 100_000;

export async function* orderByEventTime(
  batches: AsyncIterable<ReadItem[]>,
  options: OrderOptions = {},
): AsyncIterable<ReadItem[]> {
  const lateness = options.latenessMs ?? DEFAULT_LATENESS_MS;
  const maxBuffered = options.maxBuffered ?? DEFAULT_MAX_BUFFERED;
  const heap = new MinHeap();
  let newest = Number.NEGATIVE_INFINITY;
  let seq = 0;
  for await (const batch of batches) {
    const out: ReadItem[] = [];
    for (const item of batch) {
      if ("error" in item) {
        out.push(item);
        continue;
      }
      heap.push({ event: item.event, seq: seq++ });
      if (item.event.epochMs > newest) newest = item.event.epochMs;
    }
    const watermark = newest - lateness;
    while (heap.size > 0 && (heap.peek()!.event.epochMs <= watermark || heap.size > maxBuffered)) {
      out.push({ event: heap.pop()!.event });
    }
    if (out.length > 0) yield out;
  }
  const rest: ReadItem[] = [];
  while (heap.size > 0) rest.push({ event: heap.pop()!.event });
  if (rest.length > 0) yield rest;
}

const before = (a: Entry, b: Entry): boolean =>
  a.event.epochMs < b.event.epochMs || (a.event.epochMs === b.event.epochMs && a.seq < b.seq);

class MinHeap {
  private readonly items: Entry[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Entry | undefined {
    return this.items[0];
  }

  push(entry: Entry): void {
    const items = this.items;
    items.push(entry);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): Entry | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && before(items[left]!, items[smallest]!)) smallest = left;
        if (right < items.length && before(items[right]!, items[smallest]!)) smallest = right;
        if (smallest === i) break;
        [items[i], items[smallest]] = [items[smallest]!, items[i]!];
        i = smallest;
      }
    }
    return top;
  }
}
