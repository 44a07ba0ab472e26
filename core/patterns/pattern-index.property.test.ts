import { describe, expect, it } from "vitest";
import { seededRandom } from "../../test/support/seeded-random.js";
import { type CompiledPattern, compilePattern } from "./compile.js";
import { InvalidPattern } from "./errors.js";
import { matches } from "./match.js";
import { callsOf, PatternIndex } from "./pattern-index.js";

/**
 * The index is an optimisation: for any patterns and any event, asking the index must give the
 * same keys as testing every pattern. Patterns and events are drawn from a small vocabulary
 * (with IP addresses spelled several ways, arrays, $or branches adding to detail, every operator:
 * those the index looks up, those it tests once per event, `exists: false` it cannot find) so
 * collisions are frequent.
 */

const WORDS = [
  "aws.iam",
  "aws.s3",
  "CreateUser",
  "createUSER",
  "PutUserPolicy",
  "2001:DB8::1",
  "2001:db8:0::1",
  "10.0.0.1",
  "::ffff:a00:1",
  " 10.0.0.1",
  "",
];

function generators(next: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const some = <T>(make: () => T, max: number): T[] => Array.from({ length: 1 + Math.floor(next() * max) }, make);
  const condition = (): unknown[] =>
    pick<() => unknown[]>([
      () => some(() => pick(WORDS), 3),
      () => [{ prefix: pick(["aws.", "2001:", "Create"]) }],
      () => [{ exists: pick([true, false]) }],
      () => [{ "anything-but": pick(WORDS) }],
      () => [{ cidr: pick(["10.0.0.0/8", "2001:db8::/32"]) }],
      () => [pick(WORDS), { exists: false }],
      () => [{ suffix: pick(["Policy", "User", "::1", ""]) }],
      () => [{ prefix: { "equals-ignore-case": pick(["CREATE", "put", "AWS."]) } }],
      () => [{ suffix: { "equals-ignore-case": pick(["USER", "policy"]) } }],
      () => [{ "equals-ignore-case": pick(WORDS) }],
      () => [{ wildcard: pick(["Put*Policy", "*User", "aws.*", "*", "Create*", "10.0.0.1", "*s*"]) }],
      () => [
        {
          numeric: pick([
            ["=", 7],
            [">", 5],
            ["<=", 0],
          ]),
        },
      ],
      () => [pick([7, 0, true, false, null]), pick(WORDS)],
      () => [{ exists: true }, pick(WORDS)],
      () => [{ "anything-but": { prefix: pick(["aws.", "Create"]) } }],
    ])();
  const detail = (): Record<string, unknown> => {
    const fields: Record<string, unknown> = {};
    // Names pinned in every branch of a $or instead of beside it (a field may not be in both).
    const namesInOr = next() < 0.15;
    if (namesInOr) fields.$or = [{ eventName: condition() }, { eventName: condition(), extra: condition() }];
    else if (next() < 0.8) fields.eventName = condition();
    if (next() < 0.3) fields.other = condition();
    if (!namesInOr && next() < 0.2) fields.$or = [{ other: condition() }, { extra: condition() }];
    return Object.keys(fields).length > 0 ? fields : { eventName: condition() };
  };
  const pattern = (): Record<string, unknown> => {
    const fields: Record<string, unknown> = {};
    if (next() < 0.85) fields.source = condition();
    const roll = next();
    if (roll >= 0.3 && roll < 0.4) {
      fields.$or = [{ detail: { eventName: condition() } }, { detail: { eventName: condition(), more: condition() } }];
      return fields;
    }
    if (next() < 0.8) fields.detail = detail();
    if (roll < 0.15) fields.$or = [{ region: condition() }, { account: condition() }];
    else if (roll < 0.3) fields.$or = [{ detail: { more: condition() } }, { account: condition() }];
    return Object.keys(fields).length > 0 ? fields : { source: condition() };
  };
  const value = (): unknown =>
    pick<() => unknown>([
      () => pick(WORDS),
      () => some(() => pick(WORDS), 3),
      () => [[pick(WORDS)], pick(WORDS)],
      () => 7,
      () => pick([0, true, false, 8]),
      () => null,
      () => ({ nested: pick(WORDS) }),
    ])();
  const event = (): unknown => {
    const record: Record<string, unknown> = {};
    if (next() < 0.9) record.source = value();
    const shape = next();
    const inner = () => {
      const fields: Record<string, unknown> = {};
      if (next() < 0.85) fields.eventName = value();
      if (next() < 0.3) fields.other = value();
      if (next() < 0.2) fields.extra = value();
      if (next() < 0.3) fields.more = value();
      return fields;
    };
    if (shape < 0.7) record.detail = inner();
    else if (shape < 0.85) record.detail = [inner(), inner()];
    else if (shape < 0.9) record.detail = pick(WORDS);
    if (next() < 0.2) record.region = value();
    if (next() < 0.2) record.account = value();
    return record;
  };
  return { pattern, event };
}

function compileOrSkip(pattern: unknown): CompiledPattern | undefined {
  try {
    return compilePattern(pattern);
  } catch (error) {
    if (error instanceof InvalidPattern) return undefined;
    throw error;
  }
}

describe("PatternIndex against matching every pattern", () => {
  it.each(Array.from({ length: 16 }, (_, i) => i + 1))("never changes an answer (seed %i)", (seed) => {
    const { pattern, event } = generators(seededRandom(seed));
    const compiled = Array.from({ length: 40 }, pattern)
      .map(compileOrSkip)
      .filter((entry): entry is CompiledPattern => entry !== undefined);
    const index = new PatternIndex<number>();
    for (const [key, entry] of compiled.entries()) index.add(key, entry);

    for (let i = 0; i < 400; i++) {
      const sample = event();
      const expected = compiled.flatMap((entry, key) => (matches(entry, sample) ? [key] : []));

      expect(index.match(sample), JSON.stringify(sample)).toEqual(expected);
      expect(index.matchEach(sample)).toEqual(expected);
    }
  });
});

describe("PatternIndex filing patterns about calls when an event of one comes", () => {
  it.each(Array.from({ length: 16 }, (_, i) => i + 1))("never changes an answer (seed %i)", (seed) => {
    const { pattern, event } = generators(seededRandom(seed));
    // Half the patterns pin their calls to plain names (those are filed when one comes).
    const next = seededRandom(seed + 1000);
    const CALLS = ["CreateUser", "createUSER", "PutUserPolicy", ""];
    const pinned = (generated: Record<string, unknown>) => {
      const detail = generated.detail as Record<string, unknown> | undefined;
      if (next() < 0.5 && detail && !Array.isArray(detail)) {
        detail.eventName = CALLS.filter(() => next() < 0.5).concat(CALLS[Math.floor(next() * CALLS.length)]!);
      }
      return generated;
    };
    const compiled = Array.from({ length: 40 }, () => pinned(pattern()))
      .map(compileOrSkip)
      .filter((entry): entry is CompiledPattern => entry !== undefined);
    const index = new PatternIndex<number>();
    const made = new Set<number>();
    for (const [key, entry] of compiled.entries()) {
      const make = () => {
        made.add(key);
        return entry;
      };
      index.addLater(key, make, callsOf(entry.source));
    }
    index.prepare();
    const waiting = compiled.flatMap((entry, key) => (callsOf(entry.source) ? [key] : []));
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting.filter((key) => made.has(key))).toEqual([]);

    for (let i = 0; i < 400; i++) {
      const sample = event();
      const expected = compiled.flatMap((entry, key) => (matches(entry, sample) ? [key] : []));
      expect(index.match(sample), JSON.stringify(sample)).toEqual(expected);
    }
    expect(index.matchEach(event())).toBeDefined();
    expect(made.size).toBe(compiled.length);
  });
});
