/**
 * Display formatting. Times are shown in UTC (what CloudTrail and AWS consoles use, and what an
 * on-call engineer pastes into a ticket), with a relative hint beside them.
 */

const pad = (value: number) => String(value).padStart(2, "0");

/** `2026-03-01 14:02:09 UTC`, or the input unchanged when it is not a date. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} UTC`
  );
}

/** A duration in seconds as `850 ms`, `42 s`, `3 min 20 s`, `2 h 5 min` or `3 d 4 h`. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return "—";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${Math.round(seconds * 10) / 10} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    const rest = Math.round(seconds - minutes * 60);
    return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    const rest = minutes - hours * 60;
    return rest ? `${hours} h ${rest} min` : `${hours} h`;
  }
  const days = Math.floor(hours / 24);
  const rest = hours - days * 24;
  return rest ? `${days} d ${rest} h` : `${days} d`;
}

/** `just now`, `5 min ago`, `3 h ago`, `2 d ago` relative to `nowMs`. */
export function formatRelative(iso: string | undefined, nowMs: number): string {
  if (!iso) return "";
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return "";
  const seconds = Math.round((nowMs - ms) / 1000);
  // The clock used here ticks every few seconds and the server's may run a little ahead.
  if (seconds < -300) return "in the future";
  if (seconds < 45) return "just now";
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}

/** Milliseconds between two ISO times as `+1.234 s` (for execution timelines). */
export function formatOffset(startIso: string, iso: string): string {
  const ms = Date.parse(iso) - Date.parse(startIso);
  if (!Number.isFinite(ms)) return "";
  return `+${(ms / 1000).toFixed(3)} s`;
}

/** Pretty JSON for display as text; strings that hold JSON (history inputs) are parsed first. */
export function prettyJson(value: unknown): string {
  if (typeof value === "string") {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Shorten text for tight places; the full text goes in a `title` beside it. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** The human form of an enum-like value: `AWAITING_APPROVAL` → `awaiting approval`. */
export function humanize(value: string): string {
  return value.toLowerCase().replace(/[_-]+/g, " ");
}

/** Break a label into at most `maxLines` lines of about `width` characters, at spaces when it can. */
export function wrapLabel(text: string, width: number, maxLines = 2): string[] {
  const lines: string[] = [];
  let rest = text.trim();
  while (rest && lines.length < maxLines) {
    if (rest.length <= width) {
      lines.push(rest);
      rest = "";
      break;
    }
    const cut = rest.lastIndexOf(" ", width);
    const at = cut > width / 2 ? cut : width;
    lines.push(rest.slice(0, at).trim());
    rest = rest.slice(at).trim();
  }
  if (rest) lines[lines.length - 1] = truncate(`${lines[lines.length - 1]} ${rest}`, width);
  return lines;
}
