import { describe, expect, it, vi } from "vitest";
import { DataFileError } from "./paged-file.js";

// A damaged database, as MmdbReader.open finds it (its own tests cover how it finds it).
const open = vi.hoisted(() => vi.fn());
vi.mock("./mmdb.js", () => ({ MmdbReader: { open } }));
open.mockImplementation((path: string) => {
  throw new DataFileError(`${path}: no MaxMind DB metadata at its end`);
});

const { lookupCity } = await import("./city.js");

describe("lookupCity over a damaged database", () => {
  it("throws the error naming the file at every lookup, and opens the file only once", () => {
    expect(() => lookupCity("8.8.8.8")).toThrow(/geolite2-city-ipv4\.mmdb: no MaxMind DB metadata/);
    expect(() => lookupCity("1.1.1.1")).toThrow(DataFileError);
    expect(open).toHaveBeenCalledTimes(1);
  });

  it("still gives undefined, without opening anything, for text that is not an address", () => {
    expect(lookupCity("not an address")).toBeUndefined();
    expect(open).toHaveBeenCalledTimes(1);
  });
});
