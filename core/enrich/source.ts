import type { RiposteConfig } from "../config/schema.js";
import { locate } from "../geo/locate.js";
import type { Enrichment } from "../model/incident.js";
import { inAnyCidr } from "../net/ip.js";

export type SourceContext = NonNullable<Enrichment["source"]>;

/**
 * What the source address is: public (with country, city, coordinates and AS from the data
 * shipped on npm), private, AWS infrastructure, an AWS service acting for the caller, or not an
 * address; and whether it is in one of our trusted CIDRs.
 */
export function describeSource(ip: string, config: RiposteConfig): SourceContext {
  const location = locate(ip);
  const trusted =
    (location.kind === "public" || location.kind === "private" || location.kind === "aws") &&
    inAnyCidr(location.ip, config.trustedCidrs);
  const geo =
    location.country !== undefined || location.asn !== undefined
      ? {
          country: location.country,
          countryName: location.countryName,
          city: location.city,
          latitude: location.latitude,
          longitude: location.longitude,
          asn: location.asn,
          asOrg: location.asOrg,
        }
      : undefined;
  return { ip: location.ip, kind: location.kind, trusted, ...(geo ? { geo } : {}) };
}
