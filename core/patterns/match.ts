import type { CompiledPattern, LeafCondition, ObjectCondition } from "./compile.js";
import type { ValueMatcher } from "./values.js";

/**
 * Matching with EventBridge's semantics:
 * - a field matches when any of its leaf values matches any value or operator of the pattern;
 *   arrays in the event are flattened (at any depth);
 * - fields under objects inside an array must all match within the same array element
 *   ("array-consistent" matching, as `rulesForJSONEvent` does), including the fields a `$or`
 *   branch adds to its parent: the answer comes from `$or`-free alternatives (`expand.ts`);
 * - `{"exists": false}` holds when the field has no leaf value anywhere in the event (an object
 *   or an empty array at that path counts as absent), and `anything-but` never matches a
 *   missing field.
 */

const hasOwn = Object.prototype.hasOwnProperty;

function member(value: unknown, key: string): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  return hasOwn.call(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

/**
 * Whether `event` matches the compiled pattern: one of its alternatives matches. With several,
 * the pattern tree is tried first with each `$or` branch tested on its own: a looser test (it
 * ignores array consistency between a branch and its parent) that any match also passes, so the
 * many events that fail it cost one pass instead of one per alternative.
 */
export function matches(compiled: CompiledPattern, event: unknown): boolean {
  const alternatives = compiled.alternatives;
  if (alternatives.length > 1 && !matchObject(compiled.root, event, event, false)) return false;
  for (let i = 0; i < alternatives.length; i++) {
    if (matchObject(alternatives[i]!, event, event, false)) return true;
  }
  return false;
}

/**
 * `viaArray`: an array was crossed on the way to `value`. Until one is, the path from the root
 * to `value` is a single chain, so `exists: false` can look at the value at hand instead of
 * walking every branch from the root again.
 */
function matchObject(condition: ObjectCondition, value: unknown, root: unknown, viaArray: boolean): boolean {
  // Resolve the object once; every field then costs one own-property lookup.
  const object =
    typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  const fields = condition.fields;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    const fieldValue = object !== undefined && hasOwn.call(object, field.key) ? object[field.key] : undefined;
    if (field.leaf) {
      if (!matchLeaf(field.leaf, fieldValue, root, viaArray)) return false;
    } else if (field.child) {
      if (!matchChild(field.child, fieldValue, root, viaArray)) return false;
    }
  }
  const ors = condition.ors;
  for (let i = 0; i < ors.length; i++) {
    const branches = ors[i]!;
    let any = false;
    for (let j = 0; j < branches.length && !any; j++) any = matchObject(branches[j]!, value, root, viaArray);
    if (!any) return false;
  }
  return true;
}

function matchChild(condition: ObjectCondition, value: unknown, root: unknown, viaArray: boolean): boolean {
  if (!Array.isArray(value)) return matchObject(condition, value, root, viaArray);
  const state = { elements: 0 };
  if (someElement(value, condition, root, state)) return true;
  // An empty array has no values: the nested fields are absent.
  return state.elements === 0 ? matchObject(condition, undefined, root, true) : false;
}

/** Whether some (flattened) element of `array` matches; counts the elements visited. */
function someElement(
  array: unknown[],
  condition: ObjectCondition,
  root: unknown,
  state: { elements: number },
): boolean {
  for (let i = 0; i < array.length; i++) {
    const element = array[i];
    if (Array.isArray(element)) {
      if (someElement(element, condition, root, state)) return true;
    } else {
      state.elements++;
      if (matchObject(condition, element, root, true)) return true;
    }
  }
  return false;
}

function matchLeaf(leaf: LeafCondition, value: unknown, root: unknown, viaArray: boolean): boolean {
  const matchers = leaf.matchers;
  if (value !== undefined && matchers.length > 0) {
    if (Array.isArray(value)) {
      if (someLeafMatches(value, matchers)) return true;
    } else {
      for (let i = 0; i < matchers.length; i++) if (matchers[i]!(value)) return true;
    }
  }
  if (!leaf.absent) return false;
  return viaArray ? !hasLeafValue(root, leaf.path) : !holdsLeaf(value);
}

function someLeafMatches(array: unknown[], matchers: readonly ValueMatcher[]): boolean {
  for (let i = 0; i < array.length; i++) {
    const element = array[i];
    if (Array.isArray(element)) {
      if (someLeafMatches(element, matchers)) return true;
    } else {
      for (let j = 0; j < matchers.length; j++) if (matchers[j]!(element)) return true;
    }
  }
  return false;
}

const isLeaf = (value: unknown): boolean => value === null || typeof value !== "object";

/** Whether a field's value is, or (as an array, at any depth) holds, a leaf value. */
function holdsLeaf(value: unknown): boolean {
  if (value === undefined) return false;
  if (!Array.isArray(value)) return isLeaf(value);
  for (let i = 0; i < value.length; i++) if (holdsLeaf(value[i])) return true;
  return false;
}

function forEachElement(array: unknown[], visit: (element: unknown) => void): void {
  for (const element of array) {
    if (Array.isArray(element)) forEachElement(element, visit);
    else visit(element);
  }
}

/** Whether any leaf value (string, number, boolean, null) sits at `path`, through any arrays. */
function hasLeafValue(root: unknown, path: readonly string[]): boolean {
  let current: unknown[] = [root];
  for (const key of path) {
    const next: unknown[] = [];
    for (const value of current) {
      const child = member(value, key);
      if (child === undefined) continue;
      if (Array.isArray(child)) forEachElement(child, (element) => next.push(element));
      else next.push(child);
    }
    if (next.length === 0) return false;
    current = next;
  }
  return current.some((value) => value === null || typeof value !== "object");
}
