import type { RiposteConfig } from "../../config/schema.js";
import { inAnyCidr, parseIp } from "../../net/ip.js";
import type { IncidentView, Resolution } from "../types.js";
import { notApplicable, ok } from "./facts.js";

/** The client address a web-scanning block targets, as a host CIDR (/32 or /128). */
export interface BlockedAddress {
  ip: string;
  cidr: string;
  version: 4 | 6;
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

/** The scanner's address: facts' `clientIp`, else the incident's source IP; trusted ones are refused. */
export function resolveBlockedAddress(incident: IncidentView, config: RiposteConfig): Resolution<BlockedAddress> {
  const candidates = [incident.facts.clientIp, incident.facts.remoteIp, incident.sourceIp];
  const text = candidates.find((v): v is string => typeof v === "string" && v !== "");
  if (!text) return notApplicable("the incident names no client address to block");
  const parsed = parseIp(text);
  if (!parsed) return notApplicable("the client address in the incident is not an IP address");
  const ip = canonicalIp(parsed.value, parsed.version);
  if (inAnyCidr(ip, config.trustedCidrs))
    return notApplicable(`${ip} is in a trusted range (trustedCidrs): not blocked`);
  return ok({ ip, cidr: `${ip}/${parsed.version === 4 ? 32 : 128}`, version: parsed.version });
}
