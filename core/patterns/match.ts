import type { CompiledPattern, LeafCondition, ObjectCondition } from "./compile.js";

/**
 * Matching with EventBridge's semantics:
 * - a field matches when any of its leaf values matches any value or operator of the pattern;
 *   arrays in the event are flattened (at any depth);
 * - fields under objects inside an array must all match within the same array element
 *   ("array-consistent" matching, as `rulesForJSONEvent` does);
 * - `{"exists": false}` holds when the field has no leaf value anywhere in the event (an object
 *   or an empty array at that path counts as absent), and `anything-but` never matches a
 *   missing field.
 */

const hasOwn = Object.prototype.hasOwnProperty;

function member(value: unknown, key: string): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  return hasOwn.call(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

/** Whether `event` matches the compiled pattern. */
export function matches(compiled: CompiledPattern, event: unknown): boolean {
  return matchObject(compiled.root, event, event);
}

function matchObject(condition: ObjectCondition, value: unknown, root: unknown): boolean {
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
      if (!matchLeaf(field.leaf, fieldValue, root)) return false;
    } else if (field.child) {
      if (!matchChild(field.child, fieldValue, root)) return false;
    }
  }
  for (const alternatives of condition.ors) {
    let any = false;
    for (let i = 0; i < alternatives.length && !any; i++) any = matchObject(alternatives[i]!, value, root);
    if (!any) return false;
  }
  return true;
}

function matchChild(condition: ObjectCondition, value: unknown, root: unknown): boolean {
  if (!Array.isArray(value)) return matchObject(condition, value, root);
  let elements = 0;
  let found = false;
  forEachElement(value, (element) => {
    elements++;
    if (!found && matchObject(condition, element, root)) found = true;
  });
  // An empty array has no values: the nested fields are absent.
  return elements === 0 ? matchObject(condition, undefined, root) : found;
}

function forEachElement(array: unknown[], visit: (element: unknown) => void): void {
  for (const element of array) {
    if (Array.isArray(element)) forEachElement(element, visit);
    else visit(element);
  }
}

function matchLeaf(leaf: LeafCondition, value: unknown, root: unknown): boolean {
  const matchers = leaf.matchers;
  if (value !== undefined && matchers.length > 0) {
    if (Array.isArray(value)) {
      let found = false;
      forEachElement(value, (element) => {
        if (!found && matchers.some((matcher) => matcher(element))) found = true;
      });
      if (found) return true;
    } else {
      for (let i = 0; i < matchers.length; i++) if (matchers[i]!(value)) return true;
    }
  }
  return leaf.absent && !hasLeafValue(root, leaf.path);
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
