import type { RiposteConfig } from "../../config/schema.js";
import { canonicalIp, inAnyCidr, parseIp } from "../../net/ip.js";
import type { IncidentView, Resolution } from "../types.js";
import { notApplicable, ok } from "./facts.js";

/** The client address a web-scanning block targets, as a host CIDR (/32 or /128). */
export interface BlockedAddress {
  ip: string;
  cidr: string;
  version: 4 | 6;
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
