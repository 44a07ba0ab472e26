import { isIPv4, isIPv6 } from "node:net";

/**
 * IP addresses as EventBridge's matcher (aws/event-ruler) reads them, which is stricter than
 * `core/net/ip.ts`: an IPv4 address is a plain dotted quad and an IPv6 address holds only hex
 * digits and colons, with no surrounding whitespace, no zone id (`fe80::1%eth0`) and no embedded
 * dotted tail (`::ffff:1.2.3.4` is text, not an address). An IPv6 address in `::ffff:0:0/96`
 * written in hex is the IPv4 address it maps, as Java's address parser makes it.
 */
export interface PatternIp {
  version: 4 | 6;
  value: bigint;
  /** The family and value as text: the same for every spelling of the address. */
  key: string;
}

function patternIp(version: 4 | 6, value: bigint): PatternIp {
  return { version, value, key: `${version}:${value.toString(16)}` };
}

const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

function ipv4Value(text: string): bigint {
  let value = 0n;
  for (const part of text.split(".")) value = (value << 8n) | BigInt(Number.parseInt(part, 10));
  return value;
}

function ipv6Value(text: string): bigint {
  const [head = "", tail] = text.split("::");
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const groups =
    tail === undefined
      ? headGroups
      : [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups];
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(Number.parseInt(group, 16));
  return value;
}

/**
 * Addresses read before: events repeat a few (`sourceIPAddress`), and every `cidr` or address
 * value they are tested against reads them again. Bounded; long texts are not kept.
 */
const readIps = new Map<string, PatternIp | null>();
const READ_IPS_LIMIT = 10_000;
const IP_TEXT_LIMIT = 64;

/** The address `text` spells, or undefined when EventBridge would not read it as one. */
export function parsePatternIp(text: string): PatternIp | undefined {
  if (text.length > IP_TEXT_LIMIT) return undefined;
  let ip = readIps.get(text);
  if (ip === undefined) {
    ip = readIp(text) ?? null;
    if (readIps.size >= READ_IPS_LIMIT) readIps.clear();
    readIps.set(text, ip);
  }
  return ip ?? undefined;
}

function readIp(text: string): PatternIp | undefined {
  if (IPV4_SHAPE.test(text)) return isIPv4(text) ? patternIp(4, ipv4Value(text)) : undefined;
  if (!IPV6_SHAPE.test(text) || !isIPv6(text)) return undefined;
  const value = ipv6Value(text);
  if (value >> 32n === 0xffffn) return patternIp(4, value & 0xffffffffn);
  return patternIp(6, value);
}

/** An inclusive address range of one family, as a `cidr` operand describes it. */
export interface PatternCidr {
  version: 4 | 6;
  low: bigint;
  high: bigint;
}

/**
 * Parses `address/bits` the way EventBridge accepts it, or returns why not. The range starts at
 * the address as written and ends at its last host address (EventBridge does not clear host
 * bits: `10.0.0.5/24` covers 10.0.0.5–10.0.0.255). A single address (`/32`, `/128`) is refused,
 * as EventBridge refuses it: write the address itself as an exact value.
 */
export function parsePatternCidr(text: string): PatternCidr | string {
  const parts = text.split("/");
  if (parts.length !== 2) return "a CIDR range needs exactly one / (such as 10.0.0.0/24 or 2001:db8::/32)";
  const [address = "", bits = ""] = parts;
  if (!/^[0-9]+$/.test(bits)) return `the prefix length "${bits}" must be a whole number, with no spaces`;
  const ip = parsePatternIp(address);
  if (!ip) return `"${address}" is not an IPv4 or IPv6 address (no spaces, zone ids or embedded IPv4 in IPv6)`;
  const width = ip.version === 4 ? 32 : 128;
  const prefix = Number.parseInt(bits, 10);
  if (prefix >= width) {
    return `an IPv${ip.version} prefix length must be below ${width} (EventBridge refuses /${width}: write the address itself as an exact value)`;
  }
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  return { version: ip.version, low: ip.value, high: ip.value | hostMask };
}

export function inPatternCidr(cidr: PatternCidr, ip: PatternIp): boolean {
  return ip.version === cidr.version && ip.value >= cidr.low && ip.value <= cidr.high;
}
