import { describe, expect, it } from "vitest";
import { distanceKm } from "./distance.js";
import { locate } from "./locate.js";

describe("locate", () => {
  it("locates a public address with country, coordinates and AS from the shipped data", () => {
    const google = locate("8.8.8.8");
    expect(google).toMatchObject({ kind: "public", country: "US", countryName: "United States", asn: 15169 });
    expect(google.latitude).toBeTypeOf("number");

    const frankfurt = locate("2a00:1450:4001:82b::200e");
    expect(frankfurt).toMatchObject({ kind: "public", country: "DE", city: "Frankfurt am Main" });
  });

  it("recognises Amazon's own ranges as AWS", () => {
    expect(locate("52.95.110.1").kind).toBe("aws");
  });

  it.each([
    ["10.1.2.3", "private"],
    ["192.168.0.1", "private"],
    ["fd00::1", "private"],
    ["127.0.0.1", "private"],
    ["ec2.amazonaws.com", "service"],
    ["AWS Internal", "service"],
    ["<script>", "invalid"],
  ])("%s is %s", (text, kind) => {
    expect(locate(text).kind).toBe(kind);
  });
});

describe("distanceKm", () => {
  it("measures Paris to New York at about 5,837 km", () => {
    const km = distanceKm({ latitude: 48.8566, longitude: 2.3522 }, { latitude: 40.7128, longitude: -74.006 });
    expect(km).toBeGreaterThan(5800);
    expect(km).toBeLessThan(5870);
  });

  it("is zero for the same point", () => {
    expect(distanceKm({ latitude: 1, longitude: 2 }, { latitude: 1, longitude: 2 })).toBe(0);
  });
});
