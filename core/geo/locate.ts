import { cidrContains, type ParsedIp, parseCidr, parseIp } from "../net/ip.js";
import { lookupAsn } from "./asn.js";
import { lookupCity } from "./city.js";
import { DataFileError } from "./paged-file.js";

/**
 * One call that says what a CloudTrail `sourceIPAddress` is: a public address (with location
 * and AS), a private or reserved one, an AWS service acting for the caller, or not an address.
 */

export type AddressKind = "public" | "private" | "aws" | "service" | "invalid";

export interface Location {
  ip: string;
  kind: AddressKind;
  country?: string;
  countryName?: string;
  region?: string;
  city?: string;
  latitude?: number;
  longitude?: number;
  timezone?: string;
  asn?: number;
  asOrg?: string;
}

const NON_PUBLIC = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.0.2.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "224.0.0.0/4",
  "240.0.0.0/4",
  "::/128",
  "::1/128",
  "64:ff9b:1::/48",
  "100::/64",
  "2001:db8::/32",
  "fc00::/7",
  "fe80::/10",
  "ff00::/8",
].map((text) => parseCidr(text)!);

/** Amazon's own autonomous systems: addresses in them are AWS infrastructure. */
const AMAZON_ASNS = new Set([16509, 14618, 8987, 39111, 7224, 10124, 9059, 38895]);

export function isPublicIp(ip: ParsedIp): boolean {
  return !NON_PUBLIC.some((range) => cidrContains(range, ip));
}

const reported = new Set<string>();

/**
 * A lookup's answer, or undefined when the shipped data file it reads is damaged: a location is
 * context for a finding, and a broken data file must not make the detections that ask for one
 * fail (their findings would be lost). The problem is reported once per file and problem, as a
 * process warning naming the file (on standard error, whatever the log level).
 */
function withoutDamagedData<T>(lookup: () => T): T | undefined {
  try {
    return lookup();
  } catch (error) {
    if (!(error instanceof DataFileError)) throw error;
    if (!reported.has(error.message)) {
      reported.add(error.message);
      process.emitWarning(`geolocation data unreadable, addresses are not located: ${error.message}`, {
        code: "RIPOSTE_GEO_DATA",
      });
    }
    return undefined;
  }
}

/** Classify and locate a source address (CloudTrail `sourceIPAddress`, flow log `srcaddr`…). */
export function locate(source: string): Location {
  const text = source.trim();
  // CloudTrail writes a service's hostname (`ec2.amazonaws.com`) or "AWS Internal" when AWS acts.
  if (/\.amazonaws\.com$/i.test(text) || /^AWS Internal$/i.test(text)) return { ip: text, kind: "service" };
  const ip = parseIp(text);
  if (!ip) return { ip: text, kind: "invalid" };
  if (!isPublicIp(ip)) return { ip: text, kind: "private" };
  const city = withoutDamagedData(() => lookupCity(ip));
  const as = withoutDamagedData(() => lookupAsn(ip.value, ip.version));
  return {
    ip: text,
    kind: as && AMAZON_ASNS.has(as.asn) ? "aws" : "public",
    ...city,
    asn: as?.asn,
    asOrg: as?.organization,
  };
}
