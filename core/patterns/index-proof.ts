import type { CompiledPattern, IndexTerm, ObjectCondition } from "./conditions.js";
import type { ValueMatcher } from "./values.js";

/**
 * What the index can settle about a pattern without testing it whole (`PatternIndex`): the fields
 * whose presence refutes it, and for a pattern made of plain fields, what proves a match. A proof
 * need only be sound: a pattern it does not prove is tested with `matches`.
 */
export interface IndexProof {
  /**
   * Paths of `{"exists": false}` fields outside every `$or`: a leaf value at one of them (through
   * any arrays) and the pattern cannot match, whatever the rest of the event.
   */
  absent: (readonly string[])[];
  /**
   * Set when every field outside a `$or` is `exists: false` alone (refuted otherwise) or a plain
   * leaf (`ProofField`), and each `$or` has a branch made of those: then the pattern matches an
   * event no `absent` path refutes for which the fields and a branch of each `$or` hold. For a
   * pattern whose `$or` shares an object with its parent (several alternatives), one `$or` whose
   * branches are the alternatives that can be proven.
   */
  proof?: ProofPart;
}

/** What proves that an object (the pattern's, or one `$or` branch's) matches. */
export interface ProofPart {
  fields: ProofField[];
  /** `exists: false` fields (of a branch): hold when no leaf value was reached there. */
  absent: (readonly string[])[];
  /** Each `$or` outside a branch: the branches that can be proven, one of which must be. */
  ors: ProofPart[][];
}

/**
 * A field whose values and operators all have terms, none `wider`, that holds with no array on the
 * way to it: `found`, a term of it was looked up (each holds exactly when its operator does); else
 * (a term is a test) its `matchers` pass the value at `path` (`holdsAt`).
 */
export type ProofField =
  | { path: readonly string[]; found: true; terms: IndexTerm[] }
  | { path: readonly string[]; found: false; matchers: readonly ValueMatcher[] };

export function indexProofOf(pattern: CompiledPattern): IndexProof {
  const absent: (readonly string[])[] = [];
  const root = emptyPart();
  const provable = partOf(pattern.root, [], root, absent);
  if (pattern.alternatives.length === 1) return provable ? { absent, proof: root } : { absent };
  // Its `$or` branches merged into the objects they share with their parent (`expand.ts`): the
  // pattern matches when one alternative does, so proving one proves it. The alternatives are
  // `$or`-free; those that cannot be proven are left to `matches`.
  const proven: ProofPart[] = [];
  for (const alternative of pattern.alternatives) {
    const part = emptyPart();
    if (partOf(alternative, [], part, undefined)) proven.push(part);
  }
  return proven.length > 0 ? { absent, proof: { fields: [], absent: [], ors: [proven] } } : { absent };
}

const emptyPart = (): ProofPart => ({ fields: [], absent: [], ors: [] });

/**
 * Adds what proves `condition` (at `path`) to `part`; whether it can be proven. `refutes`: outside
 * every `$or`, where `exists: false` fields refute instead (a branch's go to `part.absent`).
 */
function partOf(
  condition: ObjectCondition,
  path: readonly string[],
  part: ProofPart,
  refutes: (readonly string[])[] | undefined,
): boolean {
  let provable = true;
  for (const field of condition.fields) {
    const fieldPath = [...path, field.key];
    if (field.child) provable = partOf(field.child, fieldPath, part, refutes) && provable;
    const leaf = field.leaf;
    if (!leaf) continue;
    const terms = leaf.terms;
    if (leaf.absent && leaf.matchers.length === 0) (refutes ?? part.absent).push(fieldPath);
    else if (leaf.absent || !terms || terms.some((term) => "wider" in term && term.wider)) provable = false;
    else if (terms.some((term) => term.kind === "test")) {
      part.fields.push({ path: fieldPath, found: false, matchers: leaf.matchers });
    } else part.fields.push({ path: fieldPath, found: true, terms });
  }
  for (const branches of condition.ors) {
    // A $or inside a branch is not proven (one level is what loop prevention needs).
    if (!refutes) {
      provable = false;
      continue;
    }
    const proven: ProofPart[] = [];
    for (const branch of branches) {
      const branchPart = emptyPart();
      if (partOf(branch, path, branchPart, undefined)) proven.push(branchPart);
    }
    if (proven.length === 0) provable = false;
    else part.ors.push(proven);
  }
  return provable;
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
