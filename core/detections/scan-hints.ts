import type { Json } from "./record.js";
import type { CorrelationContext, StatefulDetection } from "./types.js";

/**
 * Scan shortcuts: what the engine may use to leave work out, never to change a result. Writing a
 * detection needs none of this; a stateful detection on a measured hot path attaches its hints
 * (`withScanHints`) beside the cache they read, and the engine (`core/engine/`) reads them with
 * `scanHintsOf`.
 */
export interface ScanHints {
  /**
   * `correlate` does nothing — no finding, no state read or written — for an event that changed
   * nothing the tracker it learns from knows (`context.changed(kind)` undefined), so the engine
   * can leave such events out for it.
   */
  requiresChange?: boolean;
  skip?: SkipHint;
}

/** A cheap, synchronous test that an event certainly changes nothing, decided from an in-process cache. */
export interface SkipHint {
  /**
   * `count` strings computed from the record alone, so that a reader thread can compute them and
   * send them instead of the record.
   */
  facts(record: Json): string[];
  count: number;
  /**
   * On the facts (`facts[at]` onwards, as `facts` returned them) at `context.now`, the event's
   * time: true when the event certainly changes nothing, so the engine can skip the store round
   * trip — and, for an event read on a reader thread, rebuilding the record.
   */
  test(facts: readonly string[], at: number, context: CorrelationContext, trigger: boolean): boolean;
  /**
   * For an event `test` refused: when its whole effect on the detection can be had from the facts
   * — no finding, only the state `correlate` would write — that write, to run in the event's turn
   * (the context's time is read now, not then); undefined when the record is needed. The engine
   * runs it only when every detection the event concerns skips or settles it; otherwise it rebuilds
   * the record and runs `correlate` for each, as without hints.
   */
  settle?(
    facts: readonly string[],
    at: number,
    context: CorrelationContext,
    trigger: boolean,
  ): (() => Promise<void>) | undefined;
}

const SCAN_HINTS: unique symbol = Symbol("scan hints");

type Hinted = { readonly [SCAN_HINTS]?: ScanHints };

/** The detection, with hints for the engine (a symbol-keyed property: copies of the detection keep it). */
export function withScanHints(detection: StatefulDetection, hints: ScanHints): StatefulDetection {
  return Object.assign(detection, { [SCAN_HINTS]: hints });
}

/** A detection's scan hints, if it has any. */
export function scanHintsOf(detection: object): ScanHints | undefined {
  return (detection as Hinted)[SCAN_HINTS];
}
