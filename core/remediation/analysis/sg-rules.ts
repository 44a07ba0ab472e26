import type { SgRule } from "../../model/facts.js";
import { parseCidr } from "../../net/ip.js";

/**
 * Security group rules compared the way EC2 compares them: protocol names and numbers are the
 * same protocol, ports of an all-protocols rule do not matter, CIDRs compare as ranges (so
 * `::/0` and `0::0/0` are one rule).
 */

const PROTOCOL_NAMES: Record<string, string> = { "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", all: "-1" };

/** `tcp`, `udp`, `icmp`, `icmpv6`, `-1` (all), or another protocol number, lower-cased. */
export function normaliseProtocol(protocol: string): string {
  const lower = protocol.trim().toLowerCase();
  return PROTOCOL_NAMES[lower] ?? lower;
}

/** Whether a protocol string is one EC2 accepts (a name or a number 0-255, or -1). */
export function isValidProtocol(protocol: string): boolean {
  const p = normaliseProtocol(protocol);
  return ["tcp", "udp", "icmp", "icmpv6", "-1"].includes(p) || (/^\d{1,3}$/.test(p) && Number(p) <= 255);
}

function sameCidr(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const x = parseCidr(a);
  const y = parseCidr(b);
  if (!x || !y) return a.trim() === b.trim();
  return x.version === y.version && x.network === y.network && x.prefix === y.prefix;
}

function portOrAll(port: number | undefined): number {
  return port === undefined ? -1 : port;
}

/** Same protocol, ports and source range (rule ids and descriptions aside). */
export function sameRuleShape(a: SgRule, b: SgRule): boolean {
  const protocol = normaliseProtocol(a.ipProtocol);
  if (protocol !== normaliseProtocol(b.ipProtocol)) return false;
  if (protocol !== "-1") {
    if (portOrAll(a.fromPort) !== portOrAll(b.fromPort) || portOrAll(a.toPort) !== portOrAll(b.toPort)) return false;
  }
  return sameCidr(a.cidrIpv4, b.cidrIpv4) && sameCidr(a.cidrIpv6, b.cidrIpv6);
}

/** Open to every address of its family (`0.0.0.0/0`, `::/0`). */
export function isWorldOpenRule(rule: SgRule): boolean {
  return [rule.cidrIpv4, rule.cidrIpv6].some((cidr) => cidr !== undefined && parseCidr(cidr)?.prefix === 0);
}

/** The ports of `ports` a rule lets in (all of them for an all-protocols rule). */
export function exposedPorts(rule: SgRule, ports: readonly number[]): number[] {
  const protocol = normaliseProtocol(rule.ipProtocol);
  if (protocol === "-1") return [...ports];
  if (protocol !== "tcp" && protocol !== "udp") return [];
  const from = rule.fromPort ?? 0;
  const to = rule.toPort ?? 65535;
  return ports.filter((port) => port >= from && port <= to);
}

/** `tcp 22 from 0.0.0.0/0`, `all traffic from ::/0`: a rule in words (validated parts only). */
export function describeRule(rule: SgRule): string {
  const protocol = normaliseProtocol(rule.ipProtocol);
  const source = [rule.cidrIpv4, rule.cidrIpv6].filter((c): c is string => c !== undefined).join(" and ") || "?";
  if (protocol === "-1") return `all traffic from ${source}`;
  const from = rule.fromPort;
  const to = rule.toPort;
  const ports = from === undefined ? "" : from === to || to === undefined ? ` ${from}` : ` ${from}-${to}`;
  return `${protocol}${ports} from ${source}`;
}
