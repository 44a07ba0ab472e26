/**
 * Where the records of a parsed JSON text sit in that text, so a record can be sent between
 * threads as a slice of the text (one string shared by a whole file) and parsed again only when
 * it is needed. `JSON.parse` of a slice gives exactly the value the whole parse gave for it.
 *
 * The scanner only has to find value boundaries in text already known to be valid JSON: it skips
 * strings with `indexOf` (most of a CloudTrail record is string content) and counts brackets.
 * Anything it is not sure about (escaped key names) makes it give up: callers then fall back.
 */

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COLON = 58;

/** Index of the quote that closes the string opening at `open`; -1 if none. */
function stringEnd(text: string, open: number): number {
  let end = text.indexOf('"', open + 1);
  while (end > 0) {
    let backslashes = 0;
    for (let i = end - 1; text.charCodeAt(i) === BACKSLASH; i--) backslashes++;
    if ((backslashes & 1) === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return -1;
}

const isSpace = (code: number): boolean => code === 32 || code === 10 || code === 13 || code === 9;

function skipSpace(text: string, index: number): number {
  let i = index;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/**
 * Start and end offsets (pairs, end exclusive) of the elements of the array whose `[` is at
 * `open`; undefined when the text is not an array there.
 */
export function arrayElementSlices(text: string, open: number): number[] | undefined {
  if (text.charCodeAt(open) !== OPEN_BRACKET) return undefined;
  const bounds: number[] = [];
  let depth = 0;
  let start = -1;
  const length = text.length;
  for (let i = open + 1; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      const end = stringEnd(text, i);
      if (end < 0) return undefined;
      if (depth === 0) bounds.push(i, end + 1);
      i = end;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (depth === 0) start = i;
      depth++;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      if (depth === 0) return code === CLOSE_BRACKET ? bounds : undefined;
      depth--;
      if (depth === 0) bounds.push(start, i + 1);
    } else if (depth === 0 && code !== 44 && !isSpace(code)) {
      // A number or literal element: up to the next separator.
      let end = i;
      while (end < length) {
        const next = text.charCodeAt(end);
        if (next === 44 || next === CLOSE_BRACKET || isSpace(next)) break;
        end++;
      }
      bounds.push(i, end);
      i = end - 1;
    }
  }
  return undefined;
}

/**
 * Offset of the value of the last top-level member named `key` of the object starting at
 * `open` (the last one is the one `JSON.parse` keeps); undefined when absent or when any member
 * name is escaped (its decoded name cannot be compared here).
 */
export function memberValueOffset(text: string, open: number, key: string): number | undefined {
  const start = skipSpace(text, open);
  if (text.charCodeAt(start) !== OPEN_BRACE) return undefined;
  const quoted = JSON.stringify(key);
  let found: number | undefined;
  let depth = 0;
  let expectKey = true;
  const length = text.length;
  for (let i = start + 1; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      const end = stringEnd(text, i);
      if (end < 0) return undefined;
      if (depth === 0 && expectKey) {
        const name = text.slice(i, end + 1);
        if (name.includes("\\")) return undefined;
        const colon = skipSpace(text, end + 1);
        if (text.charCodeAt(colon) !== COLON) return undefined;
        if (name === quoted) found = skipSpace(text, colon + 1);
        expectKey = false;
        i = colon;
        continue;
      }
      i = end;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth++;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      if (depth === 0) return found;
      depth--;
    } else if (code === 44 && depth === 0) {
      expectKey = true;
    }
  }
  return undefined;
}

/**
 * Slices of the records a parsed document holds, as `normalizeValue` walks them: the elements
 * of a top-level array, or of a top-level object's `Records`. Undefined when the text does not
 * have that shape or the count disagrees with the parsed value.
 */
export function recordSlices(text: string, value: unknown): number[] | undefined {
  const open = skipSpace(text, 0);
  let bounds: number[] | undefined;
  let expected: number;
  if (Array.isArray(value)) {
    bounds = arrayElementSlices(text, open);
    expected = value.length;
  } else if (typeof value === "object" && value !== null && Array.isArray((value as { Records?: unknown }).Records)) {
    const records = (value as { Records: unknown[] }).Records;
    bounds = compactCloudTrailSlices(text, records);
    if (bounds) return bounds;
    const at = memberValueOffset(text, open, "Records");
    bounds = at === undefined ? undefined : arrayElementSlices(text, at);
    expected = records.length;
  } else {
    return undefined;
  }
  return bounds !== undefined && bounds.length === expected * 2 ? bounds : undefined;
}

const COMPACT_PREFIX = '{"Records":[';

/**
 * The fast path for files as CloudTrail writes them: `{"Records":[{"eventVersion":…},{…}]}`,
 * compact, every record an object whose first member is `eventVersion` and that has a string
 * `eventID`. Record boundaries are then the occurrences of `},{"eventVersion":` — an unescaped
 * quote cannot sit inside a string, so each occurrence is structural; there must be exactly one
 * per boundary (no nested object starting the same way), and each slice must hold its own
 * record's `eventID` value. Anything else: undefined, and the general scanner runs.
 */
export function compactCloudTrailSlices(text: string, records: readonly unknown[]): number[] | undefined {
  const count = records.length;
  if (count === 0 || !text.startsWith(COMPACT_PREFIX)) return undefined;
  const close = text.lastIndexOf("]");
  if (close < 0 || text.slice(close + 1).trim() !== "}") return undefined;
  const head = '{"eventVersion":';
  const separator = `},${head}`;
  if (!text.startsWith(head, COMPACT_PREFIX.length)) return undefined;
  const bounds = new Array<number>(count * 2);
  let start = COMPACT_PREFIX.length;
  for (let i = 0; i < count; i++) {
    const record = records[i] as Record<string, unknown>;
    if (typeof record !== "object" || record === null || Array.isArray(record)) return undefined;
    const id = record.eventID;
    if (typeof id !== "string") return undefined;
    let end: number;
    if (i < count - 1) {
      const next = text.indexOf(separator, start + 1);
      if (next < 0 || next > close) return undefined;
      end = next + 1;
    } else {
      end = close;
      // The last record is followed by the array's end, and no boundary is left over.
      if (text.charCodeAt(end - 1) !== CLOSE_BRACE || text.indexOf(separator, start + 1) >= 0) return undefined;
    }
    const idAt = text.indexOf(id, start);
    if (id.length === 0 || idAt < 0 || idAt >= end) return undefined;
    bounds[2 * i] = start;
    bounds[2 * i + 1] = end;
    start = end + 1;
  }
  return bounds;
}
