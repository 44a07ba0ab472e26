import { normalizeRecords } from "../../core/events/index.js";
import type { EventsAcceptedResponse } from "../../core/model/api.js";
import type { EventInbox } from "./inbox.js";

/**
 * `POST /api/events` on one machine: the body is normalised (one bad record is reported by its
 * index and never stops the rest) and the events are persisted in the inbox before the answer
 * says they were accepted. A redelivered event counts as accepted: it is already there.
 */
export function createInboxIntake(inbox: EventInbox, source = "api") {
  return async (body: unknown): Promise<EventsAcceptedResponse> => {
    const { events, errors } = normalizeRecords(body, source);
    await inbox.add(events, source);
    return { accepted: events.length, rejected: errors.length, errors };
  };
}
