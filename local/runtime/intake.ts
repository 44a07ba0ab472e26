import { type EventBounds, eventBoundsProblem, normalizeRecords } from "../../core/events/index.js";
import type { EventsAcceptedResponse } from "../../core/model/api.js";
import type { EventInbox } from "./inbox.js";

/**
 * `POST /api/events` on one machine: the body is normalized (one bad record is reported by its
 * index and never stops the rest), each event is checked against the intake bounds (size, field
 * size, event time not ahead of the clock: refused by index with the reason), and the events are
 * persisted in the inbox before the answer says they were accepted. A redelivered event counts
 * as accepted: it is already there.
 */
export function createInboxIntake(
  inbox: EventInbox,
  options: { bounds: EventBounds; now?: () => number; source?: string },
) {
  const { bounds, now = Date.now, source = "api" } = options;
  return async (body: unknown): Promise<EventsAcceptedResponse> => {
    const at = now();
    const { events, errors } = normalizeRecords(body, source, (event) => eventBoundsProblem(event, bounds, at));
    await inbox.add(events, source);
    return { accepted: events.length, rejected: errors.length, errors };
  };
}

/** The intake bounds of a configuration's `runtime` section. */
export function intakeBounds(runtime: {
  maxEventBytes: number;
  maxEventFieldBytes: number;
  maxEventFutureMinutes: number;
}): EventBounds {
  return {
    maxEventBytes: runtime.maxEventBytes,
    maxFieldBytes: runtime.maxEventFieldBytes,
    maxFutureSkewMs: runtime.maxEventFutureMinutes * 60_000,
  };
}
