import { describe, expect, it } from "vitest";
import { SHARDS, shardedKey, shardOf } from "./keys.js";
import { mergeSorted } from "./merge.js";

describe("shardOf", () => {
  it("spreads ids evenly over every shard, the same way every time", () => {
    const ids = Array.from({ length: 16_000 }, (_, index) => `sg-ssh-open-world-${index}`);

    const counts = new Array<number>(SHARDS).fill(0);
    for (const id of ids) counts[shardOf(id)]! += 1;

    const fair = ids.length / SHARDS;
    for (const count of counts) expect(Math.abs(count - fair) / fair).toBeLessThan(0.1);
    expect(shardedKey("INCIDENTS", ids[0]!)).toBe(`INCIDENTS#${shardOf(ids[0]!)}`);
    expect(ids.map((id) => shardOf(id))).toEqual(ids.map((id) => shardOf(id)));
  });
});

describe("mergeSorted", () => {
  async function* source(values: number[], reads: number[]) {
    for (const value of values) {
      reads.push(value);
      yield value;
    }
  }

  it("merges sorted sources in order and reads no further than the consumer takes", async () => {
    const reads: number[] = [];
    const sources = [source([1, 4, 7, 10], reads), source([2, 5], reads), source([], reads), source([3, 6, 9], reads)];

    const taken: number[] = [];
    for await (const value of mergeSorted(sources, (a, b) => a - b)) {
      taken.push(value);
      if (taken.length === 5) break;
    }

    expect(taken).toEqual([1, 2, 3, 4, 5]);
    // Each source at most one item ahead of what was taken: 9 and 10 are never read.
    expect(reads.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("yields equal items from every source", async () => {
    const merged: string[] = [];
    const a = async function* () {
      yield "a1";
      yield "b1";
    };
    const b = async function* () {
      yield "a2";
      yield "b2";
    };

    for await (const value of mergeSorted([a(), b()], (x, y) => x[0]!.localeCompare(y[0]!))) merged.push(value);

    expect(merged).toEqual(["a1", "a2", "b1", "b2"]);
  });
});
