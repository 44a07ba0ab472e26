import type { SecurityEvent } from "../model/event.js";
import { normalizeValue } from "./normalize.js";

/**
 * Event intake: every supported input shape → `SecurityEvent` (the EventBridge envelope that
 * patterns match, plus the raw record for evidence).
 */
export { type EventBounds, eventBoundsProblem } from "./bounds.js";
export { CLOUDTRAIL_DETAIL_TYPES, sourceForEventSource } from "./cloudtrail.js";
export { type InputFile, listInputFiles } from "./files.js";
export { CONFIG_DETAIL_TYPE, GUARDDUTY_DETAIL_TYPE } from "./findings.js";
export { FLOW_DETAIL_TYPE, FLOW_SOURCE } from "./flow-logs.js";
export { DEFAULT_LATENESS_MS, DEFAULT_MAX_BUFFERED, type OrderOptions, orderByEventTime } from "./order.js";
export { parseLogText, type ReadOptions, readEventBatches, readEventFiles } from "./read.js";
export { isoTime, parseEventTime } from "./time.js";
export type { ReadError, ReadItem } from "./types.js";
export { ALB_DETAIL_TYPE, ALB_SOURCE, WAF_DETAIL_TYPE, WAF_SOURCE } from "./web-logs.js";

/**
 * Normalize an HTTP body: one record, an array, a `{"Records":[…]}` body, or EventBridge
 * envelope(s). Records without an id of their own get one hashed from their content, so posting
 * the same record twice yields the same event id. `origin` names the body in `event.origin`.
 */
export function normalizeRecords(
  value: unknown,
  origin?: string,
  /** Why an event is refused after all (intake bounds), reported under its record's index. */
  refuse?: (event: SecurityEvent) => string | undefined,
): { events: SecurityEvent[]; errors: { index: number; error: string }[] } {
  const events: SecurityEvent[] = [];
  const errors: { index: number; error: string }[] = [];
  let position = 0;
  normalizeValue(value, { positional: false }, (result, index) => {
    position++;
    const refused = "event" in result ? refuse?.(result.event) : undefined;
    if (refused !== undefined) errors.push({ index, error: refused });
    else if ("event" in result) {
      if (origin) result.event.origin = { file: origin, position };
      events.push(result.event);
    } else errors.push({ index, error: result.error });
  });
  return { events, errors };
}
