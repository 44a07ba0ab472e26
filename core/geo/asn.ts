import { Buffer } from "node:buffer";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/**
 * Autonomous system (ASN and organisation) of an address, from the CSV ranges shipped in
 * `@ip-location-db/asn` (no network at run time). Each file's rows are sorted by range start, so
 * a lookup bisects the file's bytes directly — by byte offset, reading only the rows it lands on
 * — and nothing is built from the 400,000 IPv4 rows first: the first lookup costs reading the
 * file (about 21 MB for IPv4, 11 MB for IPv6), not parsing it, which matters for a short `scan`.
 */

export interface AsnInfo {
  asn: number;
  organization: string;
}

interface CsvFile {
  name: string;
  bytes: Uint8Array;
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

function load(name: string): CsvFile {
  const buffer = readFileSync(require.resolve(`@ip-location-db/asn/${name}`));
  return { name, bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) };
}

function text(bytes: Uint8Array, start: number, end: number, encoding: "latin1" | "utf8"): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString(encoding);
}

/** The offset of the first row starting at or after `at` (blank lines skipped); the length when none. */
function rowAtOrAfter(bytes: Uint8Array, at: number): number {
  let i = at;
  if (i > 0 && bytes[i - 1] !== NEWLINE) {
    while (i < bytes.length && bytes[i] !== NEWLINE) i++;
  }
  while (i < bytes.length && bytes[i] === NEWLINE) i++;
  return i;
}

/** The range start of the row at `at` (digits up to its first comma). */
function rangeStart(file: CsvFile, at: number): bigint {
  const { bytes } = file;
  let i = at;
  while (i < bytes.length && bytes[i] !== COMMA && bytes[i] !== NEWLINE) i++;
  if (bytes[i] !== COMMA) throw new Error(`${file.name}: the row at byte ${at} has fewer than four fields`);
  return BigInt(text(bytes, at, i, "latin1"));
}

/** The row at `at`: `start,end,asn,organization`. */
function rowAt(file: CsvFile, at: number): Row {
  const { bytes } = file;
  const commas: number[] = [];
  let i = at;
  for (; i < bytes.length && bytes[i] !== NEWLINE; i++) if (bytes[i] === COMMA && commas.length < 3) commas.push(i);
  if (commas.length < 3) throw new Error(`${file.name}: the row at byte ${at} has fewer than four fields`);
  const [first, second, third] = commas as [number, number, number];
  return {
    start: BigInt(text(bytes, at, first, "latin1")),
    end: BigInt(text(bytes, first + 1, second, "latin1")),
    asn: Number(text(bytes, second + 1, third, "latin1")),
    orgStart: third + 1,
    orgEnd: i,
  };
}

/** An organization field as written: only the organization may be quoted, `""` for a quote. */
function organizationOf(file: CsvFile, row: Row): string {
  const org = text(file.bytes, row.orgStart, row.orgEnd, "utf8");
  return org.startsWith('"') && org.endsWith('"') ? org.slice(1, -1).replaceAll('""', '"') : org;
}

/**
 * The row whose range holds `value`, by bisecting byte offsets: `found` is a row starting at or
 * below `value`, and no row beginning at `above` or later does.
 */
function find(file: CsvFile, value: bigint): AsnInfo | undefined {
  const { bytes } = file;
  let found = rowAtOrAfter(bytes, 0);
  if (found >= bytes.length || rangeStart(file, found) > value) return undefined;
  let above = bytes.length;
  while (above - found > 1) {
    const mid = (found + above) >>> 1;
    const row = rowAtOrAfter(bytes, mid);
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

let v4File: CsvFile | undefined;
let v6File: CsvFile | undefined;

/** The AS announcing an address (given as parsed value and family); undefined when unrouted. */
export function lookupAsn(value: bigint, version: 4 | 6): AsnInfo | undefined {
  if (version === 4) {
    v4File ??= load("asn-ipv4-num.csv");
    return find(v4File, value);
  }
  v6File ??= load("asn-ipv6-num.csv");
  return find(v6File, value);
}
