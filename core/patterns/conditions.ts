import type { ValueMatcher } from "./values.js";

/**
 * The tree a compiled EventBridge pattern is (built by `compile.ts`, tested by `match.ts`). Its own
 * module so that `expand.ts`, which `compile.ts` calls, reads these types without importing
 * `compile.ts` back (test/architecture/layers.test.ts refuses import cycles).
 */

/** Conditions on one field whose pattern is an array of values and operators. */
export interface LeafCondition {
  /** Field path from the event root, for the `exists: false` check. */
  path: readonly string[];
  matchers: ValueMatcher[];
  /** `{"exists": false}` present: the field matches when it has no leaf value anywhere. */
  absent: boolean;
  /**
   * What `PatternIndex` may look the field up by: one term per value or operator, when every one
   * of them has a term (`IndexTerm`); undefined when one does not, or with `exists: false`.
   */
  terms?: IndexTerm[];
}

/**
 * A necessary condition of one value or operator that the index can find without testing each
 * pattern: a value it matches equals `value` (an IP address in any spelling), or starts or ends
 * with `text`, or (`folded`: once lower-cased as `foldText` does) equals, starts or ends with it;
 * for other operators (`cidr`, numeric ranges, `anything-but`, `exists: true`, a wildcard with no
 * literal end), `test` itself, run once per event for every pattern that has the same operator
 * (`text`); `loose`: one most values pass. A term may be looser than its operator, never stricter;
 * `wider` when it is (a wildcard's literal end, or its literal text read as an IP address).
 */
export type IndexTerm =
  | { kind: "exact"; value: string | number | boolean | null; wider?: true }
  | { kind: "prefix" | "suffix"; text: string; folded: boolean; wider?: true }
  | { kind: "folded"; text: string }
  | { kind: "test"; test: ValueMatcher; text: string; loose: boolean };

export interface FieldCondition {
  key: string;
  /** Where the pattern declares the field (`$or[1].detail.eventName`), for error messages. */
  at: string;
  leaf?: LeafCondition;
  child?: ObjectCondition;
}

export interface ObjectCondition {
  fields: FieldCondition[];
  /** Each `$or`: at least one alternative must match the same object. */
  ors: ObjectCondition[][];
}

export interface CompiledPattern {
  readonly root: ObjectCondition;
  /**
   * What `matches` tests: `[root]`, or when a `$or` branch shares an object with its parent, the
   * `$or`-free alternatives that keep their fields array-consistent (see `expand.ts`).
   */
  readonly alternatives: readonly ObjectCondition[];
  /** The pattern as given (a fresh copy), for display and deployment. */
  readonly source: Record<string, unknown>;
}
