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
  orgIndex: Uint32Array;
  orgs: string[];
}

const require = createRequire(import.meta.url);

function parseCsvLine(line: string): [string, string, string, string] {
  // start,end,asn,organization — only the organization may be quoted.
  const first = line.indexOf(",");
  const second = line.indexOf(",", first + 1);
  const third = line.indexOf(",", second + 1);
  let org = line.slice(third + 1);
  if (org.startsWith('"') && org.endsWith('"')) org = org.slice(1, -1).replaceAll('""', '"');
  return [line.slice(0, first), line.slice(first + 1, second), line.slice(second + 1, third), org];
}

function loadTable(file: string, v6: boolean): Table {
  const text = readFileSync(require.resolve(`@ip-location-db/asn/${file}`), "utf8");
  const lines = text.split("\n").filter((line) => line.length > 0);
  const n = lines.length;
  const asns = new Uint32Array(n);
  const orgIndex = new Uint32Array(n);
  const orgs: string[] = [];
  const orgIds = new Map<string, number>();
  const startsV4 = new Float64Array(v6 ? 0 : n);
  const endsV4 = new Float64Array(v6 ? 0 : n);
  const startsHi = new BigUint64Array(v6 ? n : 0);
  const startsLo = new BigUint64Array(v6 ? n : 0);
  const endsHi = new BigUint64Array(v6 ? n : 0);
  const endsLo = new BigUint64Array(v6 ? n : 0);
  const mask = (1n << 64n) - 1n;
  for (let i = 0; i < n; i++) {
    const [start, end, asn, org] = parseCsvLine(lines[i] as string);
    if (v6) {
      const s = BigInt(start);
      const e = BigInt(end);
      startsHi[i] = s >> 64n;
      startsLo[i] = s & mask;
      endsHi[i] = e >> 64n;
      endsLo[i] = e & mask;
    } else {
      startsV4[i] = Number(start);
      endsV4[i] = Number(end);
    }
    asns[i] = Number(asn);
    let id = orgIds.get(org);
    if (id === undefined) {
      id = orgs.push(org) - 1;
      orgIds.set(org, id);
    }
    orgIndex[i] = id;
  }
  return {
    starts: v6 ? [startsHi, startsLo] : startsV4,
    ends: v6 ? [endsHi, endsLo] : endsV4,
    asns,
    orgIndex,
    orgs,
  };
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
  return { asn: table.asns[candidate]!, organization: table.orgs[table.orgIndex[candidate]!]! };
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
