import { Buffer } from "node:buffer";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/**
 * Autonomous system (ASN and organisation) of an address, from the CSV ranges shipped in
 * `@ip-location-db/asn` (no network at run time). The tables are parsed on first use into sorted
 * typed arrays and searched by bisection.
 */

export interface AsnInfo {
  asn: number;
  organization: string;
}

interface Table {
  /** Range starts and ends; IPv4 as numbers, IPv6 as bigints. */
  starts: Float64Array | BigUint64Array[];
  ends: Float64Array | BigUint64Array[];
  asns: Uint32Array;
  /** Per row, its organization: a range of `orgText` as the file wrote it (see `organizationAt`). */
  orgIndex: Uint32Array;
  orgStarts: Int32Array;
  orgEnds: Int32Array;
  /** The distinct organization fields' bytes, one after the other. */
  orgText: Uint8Array;
}

const require = createRequire(import.meta.url);

const COMMA = 44;
const NEWLINE = 10;
const ZERO = 48;

/** An organization field as written: only the organization may be quoted, `""` for a quote. */
function organizationAt(table: Table, id: number): string {
  const { orgText } = table;
  const start = table.orgStarts[id]!;
  const org = Buffer.from(orgText.buffer, orgText.byteOffset + start, table.orgEnds[id]! - start).toString("utf8");
  return org.startsWith('"') && org.endsWith('"') ? org.slice(1, -1).replaceAll('""', '"') : org;
}

/** A field that is not up to 15 plain digits (never in the shipped data), read as before. */
function slowNumber(bytes: Uint8Array, start: number, end: number): number {
  return Number(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("latin1"));
}

function bigField(bytes: Uint8Array, start: number, end: number): bigint {
  return BigInt(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("latin1"));
}

/**
 * Parses `start,end,asn,organization` lines straight from the file's bytes, in one pass with no
 * string per line or per field: the IPv4 table has 400,000 rows, and splitting them into strings
 * cost about a second of CPU and a hundred MB of garbage at the first lookup. Organizations are
 * kept as the bytes the file wrote (each AS's once, unless the file names it differently) and
 * decoded when looked up.
 */
function loadTable(file: string, v6: boolean): Table {
  const buffer = readFileSync(require.resolve(`@ip-location-db/asn/${file}`));
  // A plain view: element reads on it optimize better than on a Buffer.
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const length = bytes.length;
  let n = 0;
  for (let i = 0; i < length; i++) if (bytes[i] === NEWLINE && (i === 0 || bytes[i - 1] !== NEWLINE)) n++;
  if (length > 0 && bytes[length - 1] !== NEWLINE) n++;
  const asns = new Uint32Array(n);
  const orgIndex = new Uint32Array(n);
  /** Per AS, the id of its first organization field; per id, that field's range in `orgText`. */
  const asnSlots = new AsnSlots(n);
  const orgStarts: number[] = [];
  const orgEnds: number[] = [];
  let orgText = new Uint8Array(1 << 20);
  let textLength = 0;
  const startsV4 = new Float64Array(v6 ? 0 : n);
  const endsV4 = new Float64Array(v6 ? 0 : n);
  const startsHi = new BigUint64Array(v6 ? n : 0);
  const startsLo = new BigUint64Array(v6 ? n : 0);
  const endsHi = new BigUint64Array(v6 ? n : 0);
  const endsLo = new BigUint64Array(v6 ? n : 0);
  const mask = (1n << 64n) - 1n;
  const commas = new Int32Array(3);
  const values = new Float64Array(3);
  let row = 0;
  let at = 0;
  while (at < length) {
    // The three numbers: offsets of their commas, and their values when plain digits.
    let field = 0;
    let value = 0;
    let plain = true;
    let fieldStart = at;
    let i = at;
    for (; i < length; i++) {
      const code = bytes[i]!;
      if (code === NEWLINE || field === 3) break;
      if (code === COMMA) {
        values[field] = plain && i - fieldStart <= 15 ? value : slowNumber(bytes, fieldStart, i);
        commas[field] = i;
        field++;
        value = 0;
        plain = true;
        fieldStart = i + 1;
        continue;
      }
      const digit = code - ZERO;
      if (digit < 0 || digit > 9) plain = false;
      else value = value * 10 + digit;
    }
    let end = i;
    while (end < length && bytes[end] !== NEWLINE) end++;
    if (end === at) {
      at = end + 1;
      continue;
    }
    if (field < 3) throw new Error(`${file}: row ${row + 1} has fewer than four fields`);
    if (v6) {
      const s = bigField(bytes, at, commas[0]!);
      const e = bigField(bytes, commas[0]! + 1, commas[1]!);
      startsHi[row] = s >> 64n;
      startsLo[row] = s & mask;
      endsHi[row] = e >> 64n;
      endsLo[row] = e & mask;
    } else {
      startsV4[row] = values[0]!;
      endsV4[row] = values[1]!;
    }
    const asn = values[2]!;
    asns[row] = asn;
    const orgStart = commas[2]! + 1;
    const slot = asnSlots.find(asn);
    const known = asnSlots.values[slot]!;
    let id = known;
    // The AS's first organization, unless this row's is written differently.
    const size = end - orgStart;
    let same = known >= 0 && orgEnds[known]! - orgStarts[known]! === size;
    for (let k = 0, from = same ? orgStarts[known]! : 0; same && k < size; k++) {
      if (orgText[from + k] !== bytes[orgStart + k]) same = false;
    }
    if (!same) {
      if (textLength + size > orgText.length) {
        const grown = new Uint8Array(Math.max(orgText.length * 2, textLength + size));
        grown.set(orgText);
        orgText = grown;
      }
      orgText.set(bytes.subarray(orgStart, end), textLength);
      id = orgStarts.push(textLength) - 1;
      textLength += size;
      orgEnds.push(textLength);
      if (known < 0) asnSlots.set(slot, asn, id);
    }
    orgIndex[row] = id;
    row++;
    at = end + 1;
  }
  return {
    starts: v6 ? [startsHi, startsLo] : startsV4,
    ends: v6 ? [endsHi, endsLo] : endsV4,
    asns,
    orgIndex,
    orgStarts: Int32Array.from(orgStarts),
    orgEnds: Int32Array.from(orgEnds),
    orgText: orgText.slice(0, textLength),
  };
}

/**
 * ASN → organization id, open addressing over typed arrays: a `Map` keyed by numbers up to 2^32
 * cost more than parsing the rows.
 */
class AsnSlots {
  readonly keys: Float64Array;
  readonly values: Int32Array;
  private readonly shift: number;

  constructor(rows: number) {
    const bits = Math.max(4, Math.ceil(Math.log2(rows * 2 + 1)));
    this.keys = new Float64Array(2 ** bits).fill(-1);
    this.values = new Int32Array(2 ** bits).fill(-1);
    this.shift = 32 - bits;
  }

  /** The slot holding `asn`, or the empty slot where it belongs (its value is then -1). */
  find(asn: number): number {
    const mask = this.keys.length - 1;
    let slot = Math.imul(asn | 0, 0x9e3779b1) >>> this.shift;
    while (this.keys[slot] !== asn && this.keys[slot] !== -1) slot = (slot + 1) & mask;
    return slot;
  }

  set(slot: number, asn: number, id: number): void {
    this.keys[slot] = asn;
    this.values[slot] = id;
  }
}

let v4Table: Table | undefined;
let v6Table: Table | undefined;

function compareV6(hi: BigUint64Array, lo: BigUint64Array, i: number, value: bigint): number {
  const v = ((hi[i] as bigint) << 64n) | (lo[i] as bigint);
  return v < value ? -1 : v > value ? 1 : 0;
}

function find(table: Table, value: bigint, v6: boolean): AsnInfo | undefined {
  let low = 0;
  let high = table.asns.length - 1;
  let candidate = -1;
  // Last range whose start <= value.
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const cmp = v6
      ? compareV6((table.starts as BigUint64Array[])[0]!, (table.starts as BigUint64Array[])[1]!, mid, value)
      : Math.sign((table.starts as Float64Array)[mid]! - Number(value));
    if (cmp <= 0) {
      candidate = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  if (candidate < 0) return undefined;
  const inside = v6
    ? compareV6((table.ends as BigUint64Array[])[0]!, (table.ends as BigUint64Array[])[1]!, candidate, value) >= 0
    : (table.ends as Float64Array)[candidate]! >= Number(value);
  if (!inside) return undefined;
  return { asn: table.asns[candidate]!, organization: organizationAt(table, table.orgIndex[candidate]!) };
}

/** The AS announcing an address (given as parsed value and family); undefined when unrouted. */
export function lookupAsn(value: bigint, version: 4 | 6): AsnInfo | undefined {
  if (version === 4) {
    v4Table ??= loadTable("asn-ipv4-num.csv", false);
    return find(v4Table, value, false);
  }
  v6Table ??= loadTable("asn-ipv6-num.csv", true);
  return find(v6Table, value, true);
}
