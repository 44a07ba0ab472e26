import { Buffer } from "node:buffer";
import { normalizeObject } from "./normalize.js";
import type { ReadItem, RecordContext, RecordSlice } from "./types.js";

/**
 * A CloudTrail log file as CloudTrail writes it — `{"Records":[{"eventVersion":…},{…}]}` on one
 * line — read record by record from its bytes, without making the whole file one string: a
 * string of half a megabyte is allocated outside V8's young generation, and creating one per file
 * cost as much CPU as parsing it (page faults, then a full collection to free it).
 *
 * The file is cut at every `},{"eventVersion":` and each piece must parse (`JSON.parse`) on its
 * own. That proves the cut exact: a piece that parses is one complete JSON value, so the file is
 * `{"Records":[` + the pieces joined by commas + `]}`, which is valid JSON whose `Records` are
 * exactly the pieces' values — what parsing the whole file gives. (A cut inside a string is
 * impossible, as a quote in a string is escaped; a cut inside a nested object leaves pieces that
 * do not parse.) Anything else — other layouts, a line break inside, a piece that does not
 * parse — returns undefined, and the caller reads the file the general way, which also reports
 * its errors.
 *
 * The items are exactly those the general way gives for the file (`FileParser`, a single-line
 * document): each record normalized with position 1, then its origin set to its 1-based index.
 * With `capture`, each event's slice is a range of `bytes` (UTF-8; offsets are byte offsets).
 */

const RECORDS = '{"Records":[';
const PREFIX = Buffer.from(`${RECORDS}{"eventVersion":`);
const SEPARATOR = Buffer.from('},{"eventVersion":');
const SUFFIX = Buffer.from("]}");
const NEWLINE = 10;
const RETURN = 13;

export interface CompactFileRead {
  items: ReadItem[];
  slices?: (RecordSlice | undefined)[];
}

export function readCompactCloudTrail(file: string, bytes: Buffer, capture: boolean): CompactFileRead | undefined {
  let length = bytes.length;
  if (length > 0 && bytes[length - 1] === NEWLINE) length--;
  if (length < PREFIX.length + SUFFIX.length) return undefined;
  if (bytes.compare(PREFIX, 0, PREFIX.length, 0, PREFIX.length) !== 0) return undefined;
  if (bytes.compare(SUFFIX, 0, SUFFIX.length, length - SUFFIX.length, length) !== 0) return undefined;
  // One line: the general reader splits lines first.
  const newline = bytes.indexOf(NEWLINE);
  if ((newline >= 0 && newline < length) || bytes.indexOf(RETURN) >= 0) return undefined;

  const close = length - SUFFIX.length;
  const values: Record<string, unknown>[] = [];
  const bounds: number[] = [];
  let start = RECORDS.length;
  for (;;) {
    const cut = bytes.indexOf(SEPARATOR, start + 1);
    const end = cut < 0 || cut >= close ? close : cut + 1;
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString("utf8", start, end));
    } catch {
      return undefined;
    }
    values.push(value as Record<string, unknown>);
    bounds.push(start, end);
    if (end === close) break;
    start = end + 1;
  }

  const context: RecordContext = { origin: { file, position: 1 }, positional: true };
  const items: ReadItem[] = new Array(values.length);
  const slices: (RecordSlice | undefined)[] | undefined = capture ? new Array(values.length) : undefined;
  for (let index = 0; index < values.length; index++) {
    const position = index + 1;
    const result = normalizeObject(values[index]!, context);
    if ("event" in result) {
      result.event.origin = { file, position };
      items[index] = { event: result.event };
      if (slices) {
        slices[index] = {
          text: bytes,
          start: bounds[2 * index]!,
          end: bounds[2 * index + 1]!,
          contextPosition: 1,
          position,
        };
      }
    } else {
      items[index] = { error: { file, position, reason: result.error } };
      if (slices) slices[index] = undefined;
    }
  }
  return slices ? { items, slices } : { items };
}
