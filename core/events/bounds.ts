import type { SecurityEvent } from "../model/event.js";

/**
 * Bounds on one accepted event, checked before it is persisted: every field of a record is
 * attacker-controlled, and one oversized or future-dated record must not stall detection (a
 * finding over the 256 KiB workflow input quota) or move correlation time ahead of the clock.
 * An event outside them is refused with a reason, never truncated: its evidence stays exact and
 * the caller, told which record and why, still has it.
 */

export interface EventBounds {
  /** Largest record as received, serialised as JSON (UTF-8 bytes). */
  maxEventBytes: number;
  /** Largest single string (a value or a key) anywhere in the record (UTF-8 bytes). */
  maxFieldBytes: number;
  /** How far an event time may lie ahead of the clock (milliseconds). */
  maxFutureSkewMs: number;
}

/** A JSON path shown in a refusal, shortened: keys are attacker-controlled text too. */
const MAX_PATH_CHARS = 120;

const kib = (bytes: number) => `${Math.round((bytes / 1024) * 10) / 10} KiB`;

function pathOf(parent: string, key: string | number): string {
  const path =
    typeof key === "number"
      ? `${parent}[${key}]`
      : /^[A-Za-z_$][\w$]*$/.test(key)
        ? `${parent}.${key}`
        : `${parent}[${JSON.stringify(key)}]`;
  return path.length > MAX_PATH_CHARS ? `${path.slice(0, MAX_PATH_CHARS)}…` : path;
}

/** The first string (value or key) longer than `maxBytes`, walked without recursion (any depth). */
function oversizedField(record: unknown, maxBytes: number): { path: string; bytes: number } | undefined {
  const stack: { value: unknown; path: string }[] = [{ value: record, path: "record" }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === "string") {
      // A string of more than maxBytes/3 characters may exceed maxBytes in UTF-8: measure those only.
      if (value.length * 3 > maxBytes) {
        const bytes = Buffer.byteLength(value, "utf8");
        if (bytes > maxBytes) return { path, bytes };
      }
    } else if (Array.isArray(value)) {
      for (let index = value.length - 1; index >= 0; index--) {
        stack.push({ value: value[index], path: pathOf(path, index) });
      }
    } else if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value).reverse()) {
        const bytes = Buffer.byteLength(key, "utf8");
        if (bytes > maxBytes) return { path: `a key in ${path}`, bytes };
        stack.push({ value: item, path: pathOf(path, key) });
      }
    }
  }
  return undefined;
}

/** Why `event` is outside the bounds (a sentence naming the field and the limit), or undefined. */
export function eventBoundsProblem(event: SecurityEvent, bounds: EventBounds, nowMs: number): string | undefined {
  if (event.epochMs > nowMs + bounds.maxFutureSkewMs) {
    return `eventTime ${event.time} is in the future (server time ${new Date(nowMs).toISOString()}; at most ${Math.round(bounds.maxFutureSkewMs / 60_000)} minutes ahead is accepted)`;
  }
  const field = oversizedField(event.raw, bounds.maxFieldBytes);
  if (field) {
    return `${field.path} is ${kib(field.bytes)}; a single field may hold at most ${kib(bounds.maxFieldBytes)}`;
  }
  let bytes: number;
  try {
    bytes = Buffer.byteLength(JSON.stringify(event.raw) ?? "", "utf8");
  } catch {
    // JSON.stringify recurses: a record nested deeper than the stack allows cannot be stored either.
    return "the record is nested too deeply to be stored";
  }
  if (bytes > bounds.maxEventBytes) {
    return `the record is ${kib(bytes)}; an event may be at most ${kib(bounds.maxEventBytes)}`;
  }
  return undefined;
}
