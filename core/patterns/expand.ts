import type { FieldCondition, ObjectCondition } from "./conditions.js";
import { InvalidPattern } from "./errors.js";

/**
 * EventBridge reads a pattern with `$or` as several plain patterns: each branch is merged into the
 * object that holds it, and the result is matched as one pattern. That matters for arrays: the
 * fields of a branch must sit in the same array element as its parent's fields
 * (`{"a":{"b":["1"]},"$or":[{"a":{"c":["2"]}},…]}` needs b and c in one element of `a`), which
 * testing a branch apart from its parent loses. So compiling expands the pattern into its `$or`-free
 * alternatives, and an event matches when one alternative matches.
 */

/** More alternatives than this (nested `$or`s multiply) is refused rather than matched slowly. */
export const MAX_ALTERNATIVES = 256;

/**
 * The `$or`-free alternatives of `root`, or `[root]` when no branch shares an object with its
 * parent: then testing each branch on its own already gives EventBridge's answer, in one pass.
 * Throws `InvalidPattern` for a field declared twice or too many alternatives.
 */
export function expandAlternatives(root: ObjectCondition): ObjectCondition[] {
  // No $or: nothing to expand, nothing declared twice (most patterns; compiled at every start-up).
  if (!hasOr(root)) return [root];
  // No key a $or declares is declared beside it (loop prevention's $or, most rules'): nothing would
  // be merged or refused, so the answer is known without making every alternative.
  if (!redeclares(root)) {
    if (alternativeCount(root) > MAX_ALTERNATIVES) throw tooMany();
    return [root];
  }
  return expandedAlternatives(root);
}

/** What `expandAlternatives` answers, found by making every alternative (the reference in tests). */
export function expandedAlternatives(root: ObjectCondition): ObjectCondition[] {
  const state = { shared: false };
  const alternatives = expand(root, state);
  return state.shared ? alternatives.map((fields) => ({ fields, ors: [] })) : [root];
}

/**
 * Whether a `$or` branch declares a key that its object, or another `$or` of that object, also
 * declares (at any depth): only then does expanding merge two fields, or refuse one.
 */
function redeclares(condition: ObjectCondition): boolean {
  const keys = new Set(condition.fields.map((field) => field.key));
  for (const field of condition.fields) if (field.child && redeclares(field.child)) return true;
  for (const branches of condition.ors) {
    const declared = new Set<string>();
    for (const branch of branches) {
      if (redeclares(branch)) return true;
      for (const key of topKeys(branch)) {
        if (keys.has(key)) return true;
        declared.add(key);
      }
    }
    for (const key of declared) keys.add(key);
  }
  return false;
}

/** The keys an alternative of `condition` can hold at its top: its fields' and its `$or` branches'. */
function topKeys(condition: ObjectCondition): string[] {
  const keys = condition.fields.map((field) => field.key);
  for (const branches of condition.ors) for (const branch of branches) keys.push(...topKeys(branch));
  return keys;
}

/** How many alternatives expanding `condition` makes (counted, not made), at most `MAX_ALTERNATIVES` + 1. */
function alternativeCount(condition: ObjectCondition): number {
  let count = 1;
  for (const field of condition.fields) if (field.child) count = capped(count * alternativeCount(field.child));
  for (const branches of condition.ors) {
    let sum = 0;
    for (const branch of branches) sum = capped(sum + alternativeCount(branch));
    count = capped(count * sum);
  }
  return count;
}

const capped = (count: number): number => Math.min(count, MAX_ALTERNATIVES + 1);

function tooMany(): InvalidPattern {
  return new InvalidPattern("", `its $or combinations expand to more than ${MAX_ALTERNATIVES} alternatives`);
}

function hasOr(condition: ObjectCondition): boolean {
  if (condition.ors.length > 0) return true;
  for (const field of condition.fields) if (field.child && hasOr(field.child)) return true;
  return false;
}

/** Every `$or`-free alternative of `root`, shared objects or not (the reference in tests). */
export function allAlternatives(root: ObjectCondition): ObjectCondition[] {
  return expand(root, { shared: false }).map((fields) => ({ fields, ors: [] }));
}

interface ExpandState {
  /** Some branch adds fields to an object its parent also names (the case that needs expanding). */
  shared: boolean;
}

function expand(condition: ObjectCondition, state: ExpandState): FieldCondition[][] {
  let alternatives: FieldCondition[][] = [[]];
  for (const field of condition.fields) {
    const choices = field.child
      ? expand(field.child, state).map((fields): FieldCondition[] => [{ ...field, child: { fields, ors: [] } }])
      : [[field]];
    alternatives = combine(alternatives, choices, state);
  }
  for (const branches of condition.ors) {
    alternatives = combine(
      alternatives,
      branches.flatMap((branch) => expand(branch, state)),
      state,
    );
  }
  return alternatives;
}

function combine(left: FieldCondition[][], right: FieldCondition[][], state: ExpandState): FieldCondition[][] {
  if (left.length * right.length > MAX_ALTERNATIVES) throw tooMany();
  return left.flatMap((fields) => right.map((more) => merge(fields, more, state)));
}

/** One object's fields with another's: objects merge; a field declared on both sides is refused. */
function merge(fields: FieldCondition[], more: FieldCondition[], state: ExpandState): FieldCondition[] {
  const merged = [...fields];
  for (const field of more) {
    const index = merged.findIndex((existing) => existing.key === field.key);
    const existing = merged[index];
    if (!existing) {
      merged.push(field);
    } else if (existing.child && field.child) {
      state.shared = true;
      merged[index] = {
        ...existing,
        child: { fields: merge(existing.child.fields, field.child.fields, state), ors: [] },
      };
    } else {
      throw new InvalidPattern(
        field.at,
        `"${field.key}" is already declared at ${existing.at}; a field declared both inside a $or and outside it (or in two $or levels) is refused, because EventBridge's answer then depends on the order of the keys`,
      );
    }
  }
  return merged;
}
