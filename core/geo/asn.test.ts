import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../test/support/seeded-random.js";
import { type AsnInfo, asnCsvPath, lookupAsn } from "./asn.js";

/**
 * The paged bisection against a plain reading of the same file: every row parsed into arrays,
 * searched with an ordinary binary search.
 */

interface Ranges {
  starts: bigint[];
  ends: bigint[];
  answers: AsnInfo[];
}

function readRanges(version: 4 | 6): Ranges {
  const ranges: Ranges = { starts: [], ends: [], answers: [] };
  for (const line of readFileSync(asnCsvPath(version), "utf8").split("\n")) {
    if (line === "") continue;
    const [start, end, asn] = line.split(",", 3) as [string, string, string];
    const org = line.slice(start.length + end.length + asn.length + 3);
    ranges.starts.push(BigInt(start));
    ranges.ends.push(BigInt(end));
    ranges.answers.push({
      asn: Number(asn),
      organization: org.startsWith('"') ? org.slice(1, -1).replaceAll('""', '"') : org,
    });
  }
  return ranges;
}

function expected(ranges: Ranges, value: bigint): AsnInfo | undefined {
  let low = 0;
  let high = ranges.starts.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (ranges.starts[mid]! <= value) {
      found = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return found >= 0 && ranges.ends[found]! >= value ? ranges.answers[found] : undefined;
}

/** Each sampled row's start, end, midpoint and both neighbours, then random addresses. */
function probes(ranges: Ranges, bits: number, seed: number): bigint[] {
  const random = seededRandom(seed);
  const values: bigint[] = [0n, 2n ** BigInt(bits) - 1n];
  for (let i = 0; i < ranges.starts.length; i += 199) {
    const start = ranges.starts[i]!;
    const end = ranges.ends[i]!;
    values.push(start, end, start - 1n, end + 1n, (start + end) / 2n);
  }
  for (let i = 0; i < 2_000; i++) {
    let value = 0n;
    for (let part = 0; part < bits / 16; part++) value = (value << 16n) | BigInt(Math.floor(random() * 0x1_0000));
    values.push(value);
  }
  return values;
}

describe("lookupAsn", () => {
  it.each([
    [4, 32],
    [6, 128],
  ] as const)(
    "gives the plain reading's answer for IPv%i row edges, midpoints and random addresses",
    (version, bits) => {
      const ranges = readRanges(version);
      let found = 0;
      for (const value of probes(ranges, bits, 7 * version)) {
        const answer = lookupAsn(value, version);
        expect(answer, `${value}`).toEqual(expected(ranges, value));
        if (answer) found++;
      }
      expect(found).toBeGreaterThan(ranges.starts.length / 199);
    },
  );

  it("unquotes an organization with a comma", () => {
    expect(lookupAsn(16_777_300n, 4)).toEqual({ asn: 13335, organization: "Cloudflare, Inc." });
  });
});
