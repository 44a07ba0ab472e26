import type { HistoryEvent } from "../../../core/model/history.js";

/**
 * Reading a GetExecutionHistory-shaped event list: which states ran in which order (to light up
 * the graph), and one line per event for the timeline.
 */

export type EntryTone = "info" | "ok" | "error" | "wait";

export interface TimelineEntry {
  id: number;
  at: string;
  type: string;
  /** The state the event belongs to (entered/exited name, or the state a task event runs in). */
  state?: string;
  tone: EntryTone;
  error?: string;
  cause?: string;
  /** The event's payload worth showing: input, output or task parameters. */
  data?: { label: string; value: unknown };
}

export interface PathTaken {
  /** Top-level states in the order they were entered (a state may repeat in a loop). */
  sequence: string[];
  /** `from→to` keys of the transitions taken. */
  edges: Set<string>;
  /** States where a task or the execution failed, timed out or was aborted. */
  failed: Set<string>;
  /** The state still running (e.g. waiting for approval), when the execution is. */
  current?: string;
}

export const edgeKey = (from: string, to: string) => `${from}→${to}`;

const FAILURE = /(Failed|TimedOut|Aborted)$/;

function detailsOf(event: HistoryEvent): Record<string, unknown> | undefined {
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith("EventDetails") && value && typeof value === "object") return value as Record<string, unknown>;
  }
  return undefined;
}

const str = (value: unknown) => (typeof value === "string" ? value : undefined);

/** Which states of `stateNames` ran, in order, and where it stopped or failed. */
export function pathTaken(history: readonly HistoryEvent[], stateNames: ReadonlySet<string>, running: boolean) {
  const path: PathTaken = { sequence: [], edges: new Set(), failed: new Set() };
  let open: string | undefined;
  let last: string | undefined;
  for (const event of history) {
    const name = str(event.stateEnteredEventDetails?.name) ?? undefined;
    if (event.type.endsWith("StateEntered") && name && stateNames.has(name)) {
      if (last !== undefined) path.edges.add(edgeKey(last, name));
      path.sequence.push(name);
      last = name;
      open = name;
      if (event.type === "FailStateEntered") path.failed.add(name);
      continue;
    }
    const exited = str(event.stateExitedEventDetails?.name);
    if (event.type.endsWith("StateExited") && exited === open) {
      open = undefined;
      continue;
    }
    // A failure inside a state (or of the whole execution) belongs to the top-level state that ran last.
    if (FAILURE.test(event.type) && last !== undefined) path.failed.add(open ?? last);
  }
  if (running && open !== undefined) path.current = open;
  return path;
}

function payloadOf(type: string, details: Record<string, unknown> | undefined): TimelineEntry["data"] {
  if (!details) return undefined;
  if (details.input !== undefined)
    return { label: type.startsWith("Execution") ? "input" : "state input", value: details.input };
  if (details.output !== undefined) return { label: "output", value: details.output };
  if (details.parameters !== undefined) return { label: "parameters", value: details.parameters };
  return undefined;
}

/** One readable entry per history event, each tied to the state it happened in. */
export function describeHistory(history: readonly HistoryEvent[]): TimelineEntry[] {
  let currentState: string | undefined;
  return history.map((event) => {
    const details = detailsOf(event);
    const entered = event.type.endsWith("StateEntered") ? str(details?.name) : undefined;
    if (entered) currentState = entered;
    const exited = event.type.endsWith("StateExited") ? str(details?.name) : undefined;
    const state = entered ?? exited ?? (event.type.startsWith("Execution") ? undefined : currentState);
    const failed = FAILURE.test(event.type);
    const tone: EntryTone = failed
      ? "error"
      : event.type.endsWith("Succeeded")
        ? "ok"
        : event.type === "TaskSubmitted" || event.type === "WaitStateEntered"
          ? "wait"
          : "info";
    return {
      id: event.id,
      at: event.timestamp,
      type: event.type,
      state,
      tone,
      error: str(details?.error),
      cause: str(details?.cause),
      data: payloadOf(event.type, details),
    };
  });
}
