import { describe, expect, it, vi } from "vitest";
import { DataFileError } from "./paged-file.js";

// A damaged database, as MmdbReader.open finds it (its own tests cover how it finds it).
const open = vi.hoisted(() => vi.fn());
vi.mock("./mmdb.js", () => ({ MmdbReader: { open } }));
open.mockImplementation((path: string) => {
  throw new DataFileError(`${path}: no MaxMind DB metadata at its end`);
});

const { lookupCity } = await import("./city.js");
const { locate } = await import("./locate.js");

describe("lookupCity over a damaged database", () => {
  it("lookupCity throws the error naming the file at every lookup, and opens the file only once", () => {
    expect(() => lookupCity("8.8.8.8")).toThrow(/geolite2-city-ipv4\.mmdb: no MaxMind DB metadata/);
    expect(() => lookupCity("1.1.1.1")).toThrow(DataFileError);
    expect(open).toHaveBeenCalledTimes(1);
  });

  it("still gives undefined, without opening anything, for text that is not an address", () => {
    expect(lookupCity("not an address")).toBeUndefined();
    expect(open).toHaveBeenCalledTimes(1);
  });

  it("leaves a public address unlocated by city, still with its network, and warns once naming the file", () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    try {
      const first = locate("8.8.8.8");
      const second = locate("8.8.4.4");
      expect(first).toMatchObject({ ip: "8.8.8.8", kind: "public", asn: 15169 });
      expect(first.country).toBeUndefined();
      expect(second.country).toBeUndefined();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/geolite2-city-ipv4\.mmdb: no MaxMind DB metadata/);
    } finally {
      warn.mockRestore();
    }
  });
});
