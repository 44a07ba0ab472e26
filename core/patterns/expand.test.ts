import { describe, expect, it } from "vitest";
import { seededRandom } from "../../test/support/seeded-random.js";
import { type CompiledPattern, compilePattern } from "./compile.js";
import type { ObjectCondition } from "./conditions.js";
import { InvalidPattern } from "./errors.js";
import { allAlternatives, expandAlternatives, expandedAlternatives } from "./expand.js";
import { matches } from "./match.js";

/**
 * `matches` takes two shortcuts over "some `$or`-free alternative matches": a single pass over the
 * tree when no branch shares an object with its parent, and that pass as a pre-check otherwise.
 * Both must give the answer of the full expansion, for any pattern and event.
 */

/**
 * Objects under "a" and "b" (so branches often share them with their parent); each leaf of a
 * pattern has its own name (l0…l11, so none is declared twice), and events hold most of them.
 */
function generators(next: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const LEAVES = Array.from({ length: 12 }, (_, i) => `l${i}`);
  const leaf = (): unknown[] => pick([["1"], ["2"], ["1", "2"], [{ exists: false }], [{ "anything-but": "1" }]]);
  let named = 0;
  const object = (depth: number): Record<string, unknown> => {
    const fields: Record<string, unknown> = { [LEAVES[named++ % LEAVES.length]!]: leaf() };
    if (depth > 0) {
      for (const key of ["a", "b"]) if (next() < 0.5) fields[key] = object(depth - 1);
      if (next() < 0.6) fields.$or = [object(depth - 1), object(depth - 1)];
    }
    return fields;
  };
  const value = (depth: number): unknown => {
    const record = (): Record<string, unknown> => {
      const fields: Record<string, unknown> = {};
      for (const key of LEAVES) if (next() < 0.7) fields[key] = pick(["1", "2", ["1", "3"]]);
      if (depth > 0) for (const key of ["a", "b"]) if (next() < 0.7) fields[key] = value(depth - 1);
      return fields;
    };
    return next() < 0.5 ? [record(), record(), record()] : record();
  };
  const pattern = () => {
    named = 0;
    return object(3);
  };
  return { pattern, event: () => value(3) };
}

function reference(compiled: CompiledPattern, event: unknown): boolean {
  return allAlternatives(compiled.root).some((alternative) =>
    matches({ ...compiled, root: alternative, alternatives: [alternative] }, event),
  );
}

describe("$or expansion shortcuts", () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])("agree with the full expansion (seed %i)", (seed) => {
    const { pattern, event } = generators(seededRandom(seed));
    let compared = 0;
    for (let i = 0; i < 60; i++) {
      let compiled: CompiledPattern;
      try {
        compiled = compilePattern(pattern());
      } catch (error) {
        if (error instanceof InvalidPattern) continue;
        throw error;
      }
      for (let j = 0; j < 60; j++) {
        const sample = event();
        compared++;

        expect(matches(compiled, sample), JSON.stringify([compiled.source, sample])).toBe(reference(compiled, sample));
      }
    }
    expect(compared).toBeGreaterThan(600);
  });
});

describe("expandAlternatives without making every alternative", () => {
  /**
   * Objects under "a" and "b" (a $or often declares one its object does); leaves named l0…l29, so a
   * leaf is declared twice only when a pattern has more; nested $or, sometimes past the limit.
   */
  function condition(next: () => number, depth: number, at: string, named: { count: number }): ObjectCondition {
    const leafKey = `l${named.count++ % 30}`;
    const made: ObjectCondition = {
      fields: [{ key: leafKey, at: `${at}.${leafKey}`, leaf: { path: [], matchers: [], absent: false } }],
      ors: [],
    };
    if (depth === 0) return made;
    for (const key of ["a", "b"]) {
      if (next() < 0.5)
        made.fields.push({ key, at: `${at}.${key}`, child: condition(next, depth - 1, `${at}.${key}`, named) });
    }
    if (next() < 0.6) {
      const branches = 2 + Math.floor(next() * 3);
      made.ors.push(Array.from({ length: branches }, (_, i) => condition(next, depth - 1, `${at}[${i}]`, named)));
    }
    return made;
  }
  const answer = (expand: () => unknown[]) => {
    try {
      return { count: expand().length };
    } catch (error) {
      if (error instanceof InvalidPattern) return { refused: error.message };
      throw error;
    }
  };

  it.each([1, 2, 3, 4, 5, 6, 7, 8])("answers as the full expansion (seed %i)", (seed) => {
    const next = seededRandom(seed);
    const outcomes = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const root = condition(next, 4, "", { count: 0 });
      const shortcut = answer(() => expandAlternatives(root));
      const full = answer(() => expandedAlternatives(root));

      expect(shortcut).toEqual(full);
      outcomes.add(
        full.refused
          ? full.refused.includes("expand to more")
            ? "too many"
            : "twice"
          : full.count === 1
            ? "one"
            : "several",
      );
    }
    expect([...outcomes].sort()).toEqual(["one", "several", "too many", "twice"]);
  });

  it("refuses more than MAX_ALTERNATIVES, counted without a $or that shares anything", () => {
    // 16 branches of 16 alternatives each: 256, the limit; one branch more is 257.
    const inner = (i: number) => ({ $or: Array.from({ length: 16 }, (_, j) => ({ [`l${i}_${j}`]: ["1"] })) });
    const outer = (extra: number) => ({
      $or: [
        ...Array.from({ length: 16 }, (_, i) => inner(i)),
        ...Array.from({ length: extra }, () => ({ last: ["1"] })),
      ],
    });

    expect(compilePattern(outer(0)).alternatives).toHaveLength(1);
    expect(() => compilePattern(outer(1))).toThrow(/more than 256 alternatives/);
  });
});
