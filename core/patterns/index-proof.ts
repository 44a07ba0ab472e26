import type { IndexTerm, ObjectCondition } from "./conditions.js";
import type { ValueMatcher } from "./values.js";

/**
 * What the index can settle about a pattern without testing it whole (`PatternIndex`): the fields
 * whose presence refutes it, and for a pattern with no `$or` made of plain fields, what proves a
 * match. A proof need only be sound: a pattern it does not prove is tested with `matches`.
 */
export interface IndexProof {
  /**
   * Paths of `{"exists": false}` fields outside every `$or`: a leaf value at one of them (through
   * any arrays) and the pattern cannot match, whatever the rest of the event.
   */
  absent: (readonly string[])[];
  /**
   * Set when the pattern has no `$or` and every field is either `exists: false` alone (refuted
   * otherwise) or a leaf whose values and operators all have terms, none `wider`: the pattern
   * matches an event none of the `absent` paths refute when each of these fields holds, with no
   * array on the way to it. `found`: a term of it was looked up (each holds exactly when its
   * operator does); else (a term is a test) `matchers`, run on the value at `path`.
   */
  fields?: ProofField[];
}

export type ProofField =
  | { path: readonly string[]; found: true; terms: IndexTerm[] }
  | { path: readonly string[]; found: false; matchers: readonly ValueMatcher[] };

export function indexProofOf(root: ObjectCondition): IndexProof {
  const proof: IndexProof = { absent: [], fields: [] };
  walk(root, [], proof);
  return proof;
}

function walk(condition: ObjectCondition, path: readonly string[], proof: IndexProof): void {
  if (condition.ors.length > 0) proof.fields = undefined;
  for (const field of condition.fields) {
    const fieldPath = [...path, field.key];
    if (field.child) walk(field.child, fieldPath, proof);
    const leaf = field.leaf;
    if (!leaf) continue;
    const terms = leaf.terms;
    if (leaf.absent && leaf.matchers.length === 0) proof.absent.push(fieldPath);
    else if (leaf.absent || !terms || terms.some((term) => "wider" in term && term.wider)) proof.fields = undefined;
    else if (terms.some((term) => term.kind === "test")) {
      proof.fields?.push({ path: fieldPath, found: false, matchers: leaf.matchers });
    } else proof.fields?.push({ path: fieldPath, found: true, terms });
  }
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Whether a value at `path` in `event`, reached through objects only (an array on the way and it
 * answers false: `matches` would read such fields element by element), or an element of it when
 * it is an array, passes one of `matchers`.
 */
export function holdsAt(event: unknown, path: readonly string[], matchers: readonly ValueMatcher[]): boolean {
  let value = event;
  for (let i = 0; i < path.length; i++) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
    const key = path[i]!;
    if (!hasOwn.call(value, key)) return false;
    value = (value as Record<string, unknown>)[key];
  }
  return leafHolds(value, matchers);
}

function leafHolds(value: unknown, matchers: readonly ValueMatcher[]): boolean {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (leafHolds(value[i], matchers)) return true;
    return false;
  }
  for (let i = 0; i < matchers.length; i++) if (matchers[i]!(value)) return true;
  return false;
}
