import { createRequire } from "node:module";
import { DataFileError, PagedFile } from "./paged-file.js";

/**
 * Autonomous system (ASN and organisation) of an address, from the CSV ranges shipped in
 * `@ip-location-db/asn` (no network at run time). Each file's rows are sorted by range start, so
 * a lookup bisects the file by byte offset, reading only the pages of the rows it lands on: nothing
 * is built from the 400,000 IPv4 rows, and the file (about 21 MB for IPv4, 11 MB for IPv6) is
 * never read whole, which matters for a short `scan`.
 */

export interface AsnInfo {
  asn: number;
  organization: string;
}

/** One row as read: its range, AS number and the organization field's byte range. */
interface Row {
  start: bigint;
  end: bigint;
  asn: number;
  orgStart: number;
  orgEnd: number;
}

const require = createRequire(import.meta.url);

const COMMA = 44;
const NEWLINE = 10;
/** No row of the shipped files comes near this; a longer one means the file is damaged. */
const MAX_ROW_BYTES = 4096;

/** The file of a family's ranges. */
export function asnCsvPath(version: 4 | 6): string {
  return require.resolve(`@ip-location-db/asn/asn-ipv${version}-num.csv`);
}

function text(file: PagedFile, start: number, end: number, encoding: "latin1" | "utf8"): string {
  return file.bytes(start, end - start).toString(encoding);
}

/** The end of the row at `at`: its newline's offset, or the file's length. */
function rowEnd(file: PagedFile, at: number): number {
  const limit = Math.min(file.size, at + MAX_ROW_BYTES);
  let i = at;
  while (i < limit && file.byte(i) !== NEWLINE) i++;
  if (i === limit && limit < file.size) throw new DataFileError(`${file.path}: the row at byte ${at} is too long`);
  return i;
}

/** The offset of the first row starting at or after `at` (blank lines skipped); the length when none. */
function rowAtOrAfter(file: PagedFile, at: number): number {
  let i = at;
  if (i > 0 && file.byte(i - 1) !== NEWLINE) i = rowEnd(file, i);
  while (i < file.size && file.byte(i) === NEWLINE) i++;
  return i;
}

/** The range start of the row at `at` (digits up to its first comma). */
function rangeStart(file: PagedFile, at: number): bigint {
  const end = rowEnd(file, at);
  let i = at;
  while (i < end && file.byte(i) !== COMMA) i++;
  if (i === end) throw new DataFileError(`${file.path}: the row at byte ${at} has fewer than four fields`);
  return integer(file, at, i);
}

/** The decimal integer in bytes `start` to `end`. */
function integer(file: PagedFile, start: number, end: number): bigint {
  const digits = text(file, start, end, "latin1");
  if (!/^\d+$/.test(digits))
    throw new DataFileError(`${file.path}: "${digits.slice(0, 40)}" at byte ${start} is not a number`);
  return BigInt(digits);
}

/** The row at `at`: `start,end,asn,organization`. */
function rowAt(file: PagedFile, at: number): Row {
  const end = rowEnd(file, at);
  const commas: number[] = [];
  for (let i = at; i < end && commas.length < 3; i++) if (file.byte(i) === COMMA) commas.push(i);
  if (commas.length < 3) throw new DataFileError(`${file.path}: the row at byte ${at} has fewer than four fields`);
  const [first, second, third] = commas as [number, number, number];
  return {
    start: integer(file, at, first),
    end: integer(file, first + 1, second),
    asn: Number(integer(file, second + 1, third)),
    orgStart: third + 1,
    orgEnd: end,
  };
}

/** An organization field as written: only the organization may be quoted, `""` for a quote. */
function organizationOf(file: PagedFile, row: Row): string {
  const org = text(file, row.orgStart, row.orgEnd, "utf8");
  return org.startsWith('"') && org.endsWith('"') ? org.slice(1, -1).replaceAll('""', '"') : org;
}

/**
 * The row whose range holds `value`, by bisecting byte offsets: `found` is a row starting at or
 * below `value`, and no row beginning at `above` or later does.
 */
function find(file: PagedFile, value: bigint): AsnInfo | undefined {
  let found = rowAtOrAfter(file, 0);
  if (found >= file.size || rangeStart(file, found) > value) return undefined;
  let above = file.size;
  while (above - found > 1) {
    const mid = (found + above) >>> 1;
    const row = rowAtOrAfter(file, mid);
    if (row >= above) {
      above = mid;
    } else if (rangeStart(file, row) <= value) {
      found = row;
    } else {
      above = row;
    }
  }
  const row = rowAt(file, found);
  if (row.end < value) return undefined;
  return { asn: row.asn, organization: organizationOf(file, row) };
}

const files: { 4?: PagedFile; 6?: PagedFile } = {};

/** The AS announcing an address (given as parsed value and family); undefined when unrouted. */
export function lookupAsn(value: bigint, version: 4 | 6): AsnInfo | undefined {
  files[version] ??= new PagedFile(asnCsvPath(version));
  return find(files[version], value);
}
