import type { RiposteConfig } from "../config/schema.js";

export type WorkingHours = RiposteConfig["scoring"]["workingHours"];

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/**
 * One formatter per time zone: building one loads the zone's data and costs far more than
 * formatting (it was about a twentieth of an incident's CPU). Zones come from the configuration.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Local weekday (0 = Sunday) and hour of `time` in `timeZone`. */
export function localTime(time: Date, timeZone: string): { weekday: number; hour: number; minute: number } {
  const parts = formatterFor(timeZone).formatToParts(time);
  const part = (type: string) => parts.find((item) => item.type === type)?.value ?? "";
  return {
    weekday: WEEKDAYS.indexOf(part("weekday")),
    hour: Number.parseInt(part("hour"), 10),
    minute: Number.parseInt(part("minute"), 10),
  };
}

/**
 * Whether `time` falls outside the configured working hours: a non-working day, or before
 * `start` / at or after `end` (local hours in the configured time zone). When `end` is earlier
 * than `start` the working window wraps past midnight (night shifts).
 */
export function isOffHours(time: Date, hours: WorkingHours): boolean {
  if (Number.isNaN(time.getTime())) return false;
  const { weekday, hour } = localTime(time, hours.timezone);
  if (!hours.days.includes(weekday)) return true;
  const inside =
    hours.start <= hours.end ? hour >= hours.start && hour < hours.end : hour >= hours.start || hour < hours.end;
  return !inside;
}

/** "Sat 03:12 Europe/Paris", for the factor label. */
export function describeLocalTime(time: Date, timeZone: string): string {
  const { weekday, hour, minute } = localTime(time, timeZone);
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${WEEKDAYS[weekday] ?? "?"} ${pad(hour)}:${pad(minute)} ${timeZone}`;
}
