import type { HistoryEvent } from "../../core/model/history.js";

/**
 * Writes an execution's history in the shape of GetExecutionHistory: ids from 1, each event
 * pointing at the event that led to it, details under `<camelCaseType>EventDetails`, and data
 * (inputs, outputs, parameters) as JSON text, as the service returns them.
 */

export function detailsKey(type: string): `${string}EventDetails` {
  // Every state type shares one entered/exited shape: TaskStateEntered → stateEnteredEventDetails.
  if (type.endsWith("StateEntered")) return "stateEnteredEventDetails";
  if (type.endsWith("StateExited")) return "stateExitedEventDetails";
  return `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;
}

/** JSON text with the `…Details: { truncated }` companion the API puts next to it. */
export function jsonField(name: string, value: unknown): Record<string, unknown> {
  return { [name]: JSON.stringify(value ?? null), [`${name}Details`]: { truncated: false } };
}

export class HistoryLog {
  private pending: HistoryEvent[] = [];

  constructor(
    private nextId: number,
    private readonly now: () => number,
  ) {}

  get nextEventId(): number {
    return this.nextId;
  }

  /** Append an event; returns its id. Detail-less event types (e.g. `TaskStarted`) pass none. */
  add(type: string, previousEventId: number, details?: Record<string, unknown>): number {
    const id = this.nextId++;
    const event: HistoryEvent = { id, previousEventId, timestamp: new Date(this.now()).toISOString(), type };
    if (details && Object.keys(details).length > 0) event[detailsKey(type)] = details;
    this.pending.push(event);
    return id;
  }

  /** Events added since the last drain, in order (what the next persist appends). */
  drain(): HistoryEvent[] {
    const events = this.pending;
    this.pending = [];
    return events;
  }
}
