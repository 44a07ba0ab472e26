import { readFileSync } from "node:fs";
import { Reader } from "maxmind";
import { afterAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../test/support/seeded-random.js";
import { parseIp } from "../net/ip.js";
import { asnCsvPath } from "./asn.js";
import { addressBytes, cityDatabasePath, lookupCity } from "./city.js";
import { MmdbReader } from "./mmdb.js";

/**
 * Our MaxMind DB reader against the `maxmind` package's, over the GeoLite2 files shipped: the same
 * record for random IPv4 and IPv6 addresses (fixed seed) and for edge addresses.
 */

const ours = { 4: MmdbReader.open(cityDatabasePath(4)), 6: MmdbReader.open(cityDatabasePath(6)) };
const theirs = {
  4: new Reader<never>(readFileSync(cityDatabasePath(4))),
  6: new Reader<never>(readFileSync(cityDatabasePath(6))),
};
afterAll(() => {
  ours[4].close();
  ours[6].close();
});

const random = seededRandom(20_261_207);
const byte = () => Math.floor(random() * 256);
const hex = () => Math.floor(random() * 0x1_0000).toString(16);

function randomIpv4(): string {
  return [byte(), byte(), byte(), byte()].join(".");
}

/** Routed IPv6 ranges (from the shipped ASN data), where the located addresses are. */
const routedV6 = readFileSync(asnCsvPath(6), "latin1")
  .split("\n")
  .filter((line) => line !== "")
  .map((line) => line.split(",", 2).map(BigInt) as [bigint, bigint]);

/** Half an address in a routed range, half anywhere in 2000::/3 or the whole space. */
function randomIpv6(): string {
  if (random() < 0.5) {
    const [start, end] = routedV6[Math.floor(random() * routedV6.length)]!;
    const offset = (BigInt(Math.floor(random() * 2 ** 52)) * (end - start)) / 2n ** 52n;
    const value = start + offset;
    return Array.from({ length: 8 }, (_, i) => ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16)).join(":");
  }
  const first = random() < 0.8 ? 0x2000 + Math.floor(random() * 0x2000) : Math.floor(random() * 0x1_0000);
  return [first.toString(16), ...Array.from({ length: 7 }, hex)].join(":");
}

const EDGES = [
  "0.0.0.0",
  "255.255.255.255",
  "10.0.0.1",
  "172.16.5.4",
  "192.168.1.1",
  "100.64.0.1",
  "127.0.0.1",
  "169.254.169.254",
  "224.0.0.1",
  "8.8.8.8",
  "1.1.1.1",
  "81.2.69.160",
  "::",
  "::1",
  "::ffff:8.8.8.8",
  "::ffff:0.0.0.0",
  "::8.8.8.8",
  "64:ff9b::808:808",
  "2001:db8::1",
  "fe80::1",
  "fd00::1",
  "ff02::1",
  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
  "2a00:1450:4001:82b::200e",
  "2606:4700:4700::1111",
];

/** Our answer and theirs for an address in one family's file. */
function both(text: string, version: 4 | 6) {
  const parsed = parseIp(text)!;
  // Text as maxmind reads it: IPv4-mapped IPv6 stays IPv6 there, so give it the 16 bytes.
  const bytes = text.includes(":") ? addressBytes({ version: 6, value: parsedV6(text) }) : addressBytes(parsed);
  return { ours: ours[version].get(bytes) ?? null, theirs: theirs[version].get(text) };
}

/** The 128-bit value of IPv6 text, IPv4-mapped included (parseIp maps those to IPv4). */
function parsedV6(text: string): bigint {
  const parsed = parseIp(text)!;
  return parsed.version === 6 ? parsed.value : (0xffffn << 32n) | parsed.value;
}

describe("the GeoLite2 city databases through our reader", () => {
  it("give maxmind's record for 10,000 random IPv4 addresses and the edge ones", () => {
    const addresses = [...Array.from({ length: 10_000 }, randomIpv4), ...EDGES.filter((text) => !text.includes(":"))];
    let found = 0;
    for (const text of addresses) {
      const answer = both(text, 4);
      expect(answer.ours, text).toEqual(answer.theirs);
      if (answer.ours) found++;
    }
    // Most of the IPv4 space is located: the comparison is not between two empty answers.
    expect(found).toBeGreaterThan(addresses.length / 2);
  });

  it("give maxmind's record for 10,000 random IPv6 addresses and the edge ones, IPv4 under ::/96 included", () => {
    const addresses = [...Array.from({ length: 10_000 }, randomIpv6), ...EDGES];
    let found = 0;
    for (const text of addresses) {
      const answer = both(text, 6);
      expect(answer.ours, text).toEqual(answer.theirs);
      if (answer.ours) found++;
    }
    for (const text of Array.from({ length: 2_000 }, randomIpv4)) {
      expect(ours[6].get(addressBytes(parseIp(text)!)) ?? null, text).toEqual(theirs[6].get(text));
    }
    expect(found).toBeGreaterThan(2_000);
  });

  it("read the metadata maxmind reads", () => {
    for (const version of [4, 6] as const) {
      const metadata = theirs[version].metadata;
      expect(ours[version].metadata).toMatchObject({
        nodeCount: metadata.nodeCount,
        recordSize: metadata.recordSize,
        ipVersion: metadata.ipVersion,
        databaseType: metadata.databaseType,
        binaryFormatMajorVersion: metadata.binaryFormatMajorVersion,
      });
    }
  });
});

describe("lookupCity", () => {
  it("answers as before for public addresses of both families", () => {
    expect(lookupCity("2a00:1450:4001:82b::200e")).toEqual({
      country: "DE",
      countryName: "Germany",
      region: "Hesse",
      city: "Frankfurt am Main",
      latitude: 50.11690139770508,
      longitude: 8.683699607849121,
      timezone: "Europe/Berlin",
    });
    expect(lookupCity("8.8.8.8")).toMatchObject({ country: "US", countryName: "United States", region: undefined });
  });

  it("looks an IPv4-mapped IPv6 address up as the IPv4 address it carries", () => {
    expect(lookupCity("::ffff:81.2.69.160")).toEqual(lookupCity("81.2.69.160"));
    expect(lookupCity("::ffff:81.2.69.160")?.city).toBe("Bracknell");
  });

  it.each([
    "",
    "garbage",
    "1.2.3",
    "1.2.3.4.5",
    "256.1.1.1",
    "08.8.8.8",
    "::ffff:1.2.3",
    "2001:db8:::1",
    "<script>",
    "\u0000\uffff",
    "10.0.0.1",
    "::1",
  ])("gives undefined, not an error, for %j", (text) => {
    expect(lookupCity(text)).toBeUndefined();
  });
});
