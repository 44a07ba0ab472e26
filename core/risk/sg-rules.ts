import { riskyPorts } from "../config/risky-ports.js";
import type { RiposteConfig } from "../config/schema.js";
import type { SgRule } from "../model/facts.js";
import { canonicalCidr, parseCidr } from "../net/ip.js";

/**
 * Security group rule exposure: the one reading that detection facts, remediation plans and
 * verification all use. Semantics follow EC2's IpPermission
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html):
 * - protocol `-1` (all protocols) allows every port, "regardless of any port range you specify";
 * - tcp and udp allow their FromPort..ToPort range. EC2 documents -1 only for ICMP types/codes;
 *   a tcp/udp rule recorded with a negative or missing bound cannot be narrowed from the record,
 *   so it is read as every port (fail closed: detection fires and verification keeps it "still
 *   exposed" — before, detection read it as every port and remediation as none);
 * - icmp, icmpv6 and other protocol numbers carry no TCP/UDP port: they expose no risky port.
 * Protocol names and numbers are one protocol (`6` is `tcp`); CIDRs compare as ranges.
 */

const PROTOCOL_NAMES: Record<string, string> = { "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", all: "-1" };

/** `tcp`, `udp`, `icmp`, `icmpv6`, `-1` (all), or another protocol number; empty or absent is `-1`. */
export function normalizeProtocol(protocol: unknown): string {
  const text = typeof protocol === "number" ? String(protocol) : typeof protocol === "string" ? protocol : "";
  const lower = text.trim().toLowerCase();
  if (lower === "") return "-1";
  return PROTOCOL_NAMES[lower] ?? lower;
}

/** Whether a protocol string is one EC2 accepts (a name, a number 0-255, or -1). */
export function isValidProtocol(protocol: string): boolean {
  const p = normalizeProtocol(protocol);
  return ["tcp", "udp", "icmp", "icmpv6", "-1"].includes(p) || (/^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/** Open to every address of its family: any `/0` range (`0.0.0.0/0`, `::/0`, `1.2.3.4/0`). */
export function isWorldOpenRule(rule: SgRule): boolean {
  return [rule.cidrIpv4, rule.cidrIpv6].some((cidr) => cidr !== undefined && parseCidr(cidr)?.prefix === 0);
}

/** Whether the rule lets TCP/UDP traffic to `port` in (see the port semantics above). */
export function ruleCoversPort(rule: SgRule, port: number): boolean {
  const protocol = normalizeProtocol(rule.ipProtocol);
  if (protocol === "-1") return true;
  if (protocol !== "tcp" && protocol !== "udp") return false;
  const from = rule.fromPort;
  const to = rule.toPort;
  if (from === undefined || to === undefined || from < 0 || to < 0) return true;
  return from <= port && port <= to;
}

/** The ports of `ports` a rule lets in, ascending. */
export function exposedPorts(rule: SgRule, ports: readonly number[]): number[] {
  return ports.filter((port) => ruleCoversPort(rule, port)).sort((a, b) => a - b);
}

/** The configured risky ports a rule lets in. */
export function exposedRiskyPorts(rule: SgRule, config: RiposteConfig): number[] {
  return exposedPorts(rule, riskyPorts(config));
}

/**
 * The ports whose world-open exposure starts a response: SSH (tcp/22, which `sg-ssh-open-world`
 * always watches) and the configured risky ports. A world-open 443 on a web server is not one.
 */
export function alarmingPorts(config: RiposteConfig): number[] {
  return [...new Set([22, ...riskyPorts(config)])].sort((a, b) => a - b);
}

/** A world-open ingress rule on SSH or a risky port: the exposure the SG detections respond to. */
export function exposesAlarmingPort(rule: SgRule, config: RiposteConfig): boolean {
  return exposesPorts(rule, alarmingPorts(config));
}

/**
 * The exposure both sides judge: an ingress rule open to the world on one of `ports`. Detection
 * fires on it; verification counts a group holding one as still exposed.
 */
export function exposesPorts(rule: SgRule, ports: readonly number[]): boolean {
  return rule.egress !== true && isWorldOpenRule(rule) && exposedPorts(rule, ports).length > 0;
}

/** A range as EC2 writes it (`1.2.3.4/0` is `0.0.0.0/0`, `0::0/0` is `::/0`); malformed text as given. */
function rangeText(cidr: string | undefined): string {
  if (cidr === undefined) return "";
  return canonicalCidr(cidr) ?? cidr.trim();
}

/** A missing and a negative bound read alike: every port (see above). */
function portText(port: number | undefined): string {
  return port === undefined || port < 0 ? "" : String(port);
}

/**
 * A key identifying a rule by its content, as EC2 compares rules: protocol name or number alike,
 * ports ignored for an all-protocols rule, CIDRs as ranges (`::/0` is `0::0/0`).
 */
export function ruleSignature(rule: SgRule): string {
  const protocol = normalizeProtocol(rule.ipProtocol);
  const ports = protocol === "-1" ? ["", ""] : [portText(rule.fromPort), portText(rule.toPort)];
  return [protocol, ...ports, rangeText(rule.cidrIpv4), rangeText(rule.cidrIpv6)].join("|");
}

/** Same protocol, ports and source range (rule ids and descriptions aside). */
export function sameRuleShape(a: SgRule, b: SgRule): boolean {
  return ruleSignature(a) === ruleSignature(b);
}

/** `tcp/22`, `tcp/1000-2000`, `tcp/all ports`, `all traffic`, for summaries. */
export function describePorts(rule: SgRule): string {
  const protocol = normalizeProtocol(rule.ipProtocol);
  if (protocol === "-1") return "all traffic";
  const from = rule.fromPort;
  const to = rule.toPort;
  if (from === undefined || from < 0) return `${protocol}/all ports`;
  return from === to || to === undefined ? `${protocol}/${from}` : `${protocol}/${from}-${to}`;
}

export function describeRange(rule: SgRule): string {
  return rule.cidrIpv4 ?? rule.cidrIpv6 ?? "?";
}

/** `tcp 22 from 0.0.0.0/0`, `all traffic from ::/0`: a rule in words. */
export function describeRule(rule: SgRule): string {
  const protocol = normalizeProtocol(rule.ipProtocol);
  const source = [rule.cidrIpv4, rule.cidrIpv6].filter((c): c is string => c !== undefined).join(" and ") || "?";
  if (protocol === "-1") return `all traffic from ${source}`;
  const from = rule.fromPort;
  const to = rule.toPort;
  const ports = from === undefined ? "" : from === to || to === undefined ? ` ${from}` : ` ${from}-${to}`;
  return `${protocol}${ports} from ${source}`;
}
