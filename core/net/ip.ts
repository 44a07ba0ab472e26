import { isIPv4, isIPv6 } from "node:net";

/**
 * IP addresses and CIDR ranges as bigints, for containment tests (trusted CIDRs, the `cidr`
 * pattern operator, world-open ranges). IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is treated as IPv4.
 */

export interface ParsedIp {
  version: 4 | 6;
  value: bigint;
}

export interface Cidr {
  version: 4 | 6;
  /** Network address (host bits cleared). */
  network: bigint;
  prefix: number;
}

function parseIpv4(text: string): bigint {
  let value = 0n;
  for (const part of text.split(".")) value = (value << 8n) | BigInt(Number.parseInt(part, 10));
  return value;
}

function parseIpv6(text: string): bigint {
  let address = text;
  const zone = address.indexOf("%");
  if (zone >= 0) address = address.slice(0, zone);
  // An embedded IPv4 tail (`::ffff:1.2.3.4`) becomes two groups.
  const lastColon = address.lastIndexOf(":");
  const tail = address.slice(lastColon + 1);
  if (tail.includes(".")) {
    const v4 = parseIpv4(tail);
    address = `${address.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = "", rest] = address.split("::");
  const headGroups = head ? head.split(":") : [];
  const tailGroups = rest === undefined ? [] : rest ? rest.split(":") : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = rest === undefined ? headGroups : [...headGroups, ...Array(missing).fill("0"), ...tailGroups];
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(Number.parseInt(group, 16));
  return value;
}

const V4_MAPPED_PREFIX = 0xffffn << 32n;

/** Parse an IPv4 or IPv6 address; undefined when `text` is not one. */
export function parseIp(text: string): ParsedIp | undefined {
  const trimmed = text.trim();
  if (isIPv4(trimmed)) return { version: 4, value: parseIpv4(trimmed) };
  if (isIPv6(trimmed)) {
    const value = parseIpv6(trimmed);
    if (value >> 32n === 0xffffn) return { version: 4, value: value & 0xffffffffn };
    return { version: 6, value };
  }
  return undefined;
}

/** Parse `a.b.c.d/n` or `x::/n`; undefined when malformed. Host bits are cleared. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1).trim();
  if (!ip || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number.parseInt(prefixText, 10);
  const bits = ip.version === 4 ? 32 : 128;
  if (prefix > bits) return undefined;
  const hostBits = BigInt(bits - prefix);
  return { version: ip.version, network: (ip.value >> hostBits) << hostBits, prefix };
}

export function cidrContains(cidr: Cidr, ip: ParsedIp): boolean {
  if (cidr.version !== ip.version) return false;
  const hostBits = BigInt((cidr.version === 4 ? 32 : 128) - cidr.prefix);
  return ip.value >> hostBits === cidr.network >> hostBits;
}

/** Whether `ip` (text) falls in any of `cidrs` (text); malformed entries never match. */
export function inAnyCidr(ip: string, cidrs: readonly string[]): boolean {
  const parsed = parseIp(ip);
  if (!parsed) return false;
  return cidrs.some((text) => {
    const cidr = parseCidr(text);
    return cidr !== undefined && cidrContains(cidr, parsed);
  });
}

/**
 * Whether a CIDR covers the whole address space of its family: `0.0.0.0/0`, `::/0`, and any
 * `a.b.c.d/0` (anonymised logs write world-open ranges that way).
 */
export function isWorldOpen(cidrText: string): boolean {
  return parseCidr(cidrText)?.prefix === 0;
}

/** Canonical text of a parsed address (RFC 5952 for IPv6; IPv4-mapped IPv6 is already IPv4). */
export function canonicalIp(value: bigint, version: 4 | 6): string {
  if (version === 4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((value >> shift) & 0xffffn).toString(16));
  // The longest run of two or more zero groups becomes "::" (the first one on a tie).
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i };
    i = j;
  }
  if (best.start < 0) return groups.join(":");
  const head = groups.slice(0, best.start).join(":");
  const tail = groups.slice(best.start + best.length).join(":");
  return `${head}::${tail}`;
}

/** A CIDR as EC2 writes it (network address, compressed IPv6): `1.2.3.4/0` is `0.0.0.0/0`; undefined when malformed. */
export function canonicalCidr(text: string): string | undefined {
  const cidr = parseCidr(text);
  return cidr ? `${canonicalIp(cidr.network, cidr.version)}/${cidr.prefix}` : undefined;
}

export { V4_MAPPED_PREFIX };
