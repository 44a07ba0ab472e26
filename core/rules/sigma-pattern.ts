import { CLOUDTRAIL_DETAIL_TYPES, sourceForEventSource } from "../events/cloudtrail.js";
import type { Condition, FieldTest } from "./condition.js";
import { EVERY_AWS_SOURCE } from "./rule-terms.js";

/**
 * The EventBridge pattern of a translated Sigma condition (`sigma.ts`): the calls it pins, for the
 * index and for EventBridge, and whatever EventBridge says exactly as the condition does
 * (equality ignoring case, prefix and suffix, CIDR, numbers, an OR across fields as `$or`). When
 * the pattern says all of the condition, the rule needs no condition in code.
 */

/** A value a Sigma field test compares with. */
export type Scalar = string | number | boolean;

type Leaf = unknown[];

const isTest = (condition: Condition): condition is FieldTest => "field" in condition;
const conjuncts = (condition: Condition): Condition[] =>
  "all" in condition && Array.isArray(condition.all) ? condition.all.flatMap(conjuncts) : [condition];

/** The values a condition pins `field` to, if every way it can hold does (exact `equals`). */
function necessaryValues(condition: Condition, field: string): Scalar[] | undefined {
  if (isTest(condition)) {
    if (condition.field !== field || condition.equals === undefined || condition.all) return undefined;
    return Array.isArray(condition.equals) ? condition.equals : [condition.equals];
  }
  if ("all" in condition && Array.isArray(condition.all)) {
    for (const part of condition.all) {
      const values = necessaryValues(part, field);
      if (values) return values;
    }
    return undefined;
  }
  if ("any" in condition && Array.isArray(condition.any)) {
    const all: Scalar[] = [];
    for (const part of condition.any) {
      const values = necessaryValues(part, field);
      if (!values) return undefined;
      all.push(...values);
    }
    return all;
  }
  return undefined;
}

/** The pattern leaf of one field test when EventBridge says exactly the same, else undefined. */
function exactLeaf(test: FieldTest): { leaf: Leaf; caveat?: string } | undefined {
  if (test.all) return undefined;
  const many = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
  if (test.equals !== undefined) {
    if (test.cased) return undefined;
    const leaf: Leaf = [];
    for (const value of many(test.equals)) {
      const text = String(value);
      leaf.push({ "equals-ignore-case": text });
      if (text.toLowerCase() === "true" || text.toLowerCase() === "false") leaf.push(text.toLowerCase() === "true");
      else if (
        /^-?\d+(\.\d+)?$/.test(text) &&
        Math.abs(Number(text)) <= 5e9 &&
        Number.isSafeInteger(Math.trunc(Number(text)))
      ) {
        leaf.push(Number(text));
      }
    }
    return { leaf };
  }
  if (test.startswith !== undefined && !test.cased) {
    return { leaf: many(test.startswith).map((text) => ({ prefix: { "equals-ignore-case": text } })) };
  }
  if (test.endswith !== undefined && !test.cased) {
    return { leaf: many(test.endswith).map((text) => ({ suffix: { "equals-ignore-case": text } })) };
  }
  if (test.cidr !== undefined) return { leaf: many(test.cidr).map((range) => ({ cidr: range })) };
  const bounds = (["gt", "gte", "lt", "lte"] as const).filter((name) => test[name] !== undefined);
  if (bounds.length === 1) {
    const name = bounds[0]!;
    const value = test[name]!;
    if (Math.abs(value) > 5e9) return undefined;
    const operator = { gt: ">", gte: ">=", lt: "<", lte: "<=" }[name];
    return {
      leaf: [{ numeric: [operator, value] }],
      caveat: `${test.field}|${name}: compared by EventBridge, which matches JSON numbers only (a numeric string does not match)`,
    };
  }
  return undefined;
}

/** A test's leaf when the test is a field test or an `any` of exact tests on one field. */
function exactFieldLeaf(condition: Condition): { field: string; leaf: Leaf; caveats: string[] } | undefined {
  if (isTest(condition)) {
    const exact = exactLeaf(condition);
    return exact
      ? { field: condition.field, leaf: exact.leaf, caveats: exact.caveat ? [exact.caveat] : [] }
      : undefined;
  }
  if ("any" in condition && Array.isArray(condition.any)) {
    const parts = condition.any.map(exactFieldLeaf);
    if (parts.some((part) => !part) || new Set(parts.map((part) => part!.field)).size !== 1) return undefined;
    return {
      field: parts[0]!.field,
      leaf: parts.flatMap((part) => part!.leaf),
      caveats: parts.flatMap((part) => part!.caveats),
    };
  }
  return undefined;
}

function sameValues(a: readonly Scalar[], b: readonly Scalar[]): boolean {
  const left = new Set(a.map(String));
  const right = new Set(b.map(String));
  return left.size === right.size && [...left].every((value) => right.has(value));
}

function setAt(detail: Record<string, unknown>, path: string[], leaf: Leaf): boolean {
  let current = detail;
  for (const key of path.slice(0, -1)) {
    const next = current[key];
    if (next === undefined) current[key] = {};
    else if (typeof next !== "object" || next === null || Array.isArray(next)) return false;
    current = current[key] as Record<string, unknown>;
  }
  const last = path.at(-1)!;
  if (last in current) return false;
  current[last] = leaf;
  return true;
}

/**
 * An `any` of conjunctions of exact field tests as the branches of a `$or` (each branch an object
 * of pattern leaves): undefined when a branch has a test EventBridge cannot say exactly (or two on
 * one field), `true` when a branch holds whenever the pinned eventSource and eventName values do
 * (the whole `any` then adds nothing to the pattern). A branch's eventSource or eventName test is
 * left out when its values are the pinned ones, which the pattern requires anyway; other values
 * of a pinned field cannot go in a branch (EventBridge would see the field on both sides).
 */
function exactOr(
  condition: Condition,
  pinned: Record<string, Scalar[] | undefined>,
): { branches: Record<string, unknown>[]; caveats: string[] } | true | undefined {
  if (!("any" in condition) || !Array.isArray(condition.any) || condition.any.length < 2) return undefined;
  const branches: Record<string, unknown>[] = [];
  const caveats: string[] = [];
  for (const branch of condition.any) {
    const fields: Record<string, unknown> = {};
    for (const part of conjuncts(branch)) {
      const leaf = exactFieldLeaf(part);
      if (!leaf) return undefined;
      const values = pinned[leaf.field];
      if (values) {
        // Pinned outside the `$or`: implied, or it would be declared on both sides (refused).
        const implied = necessaryValues(part, leaf.field);
        if (implied && sameValues(values, implied)) continue;
        return undefined;
      }
      if (!setAt(fields, leaf.field.split("."), leaf.leaf)) return undefined;
      caveats.push(...leaf.caveats);
    }
    if (Object.keys(fields).length === 0) return true;
    branches.push(fields);
  }
  return { branches, caveats };
}

/** The dotted paths of a pattern object's leaves (`$or` branches not entered). */
function leafPaths(object: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(object).flatMap(([key, value]) => {
    if (key === "$or") return [];
    const path = prefix ? `${prefix}.${key}` : key;
    return Array.isArray(value) ? [path] : leafPaths(value as Record<string, unknown>, path);
  });
}

/** Whether a `$or` branch of `detail` declares a leaf that `detail` declares outside it (or over it). */
function sharesField(detail: Record<string, unknown>): boolean {
  const outside = leafPaths(detail);
  const overlaps = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
  return (detail.$or as Record<string, unknown>[]).some((branch) =>
    leafPaths(branch).some((path) => outside.some((other) => overlaps(path, other))),
  );
}

const CANONICAL_SOURCE = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com$/;
const CANONICAL_NAME = /^[A-Z][A-Za-z0-9]*$/;

/**
 * The pattern of a condition (a necessary condition of it: every event the condition accepts
 * matches) and whether it says exactly the same (then no code condition is needed).
 */
export function patternOf(
  condition: Condition,
  options: { optionalParts?: boolean } = {},
): { pattern: Record<string, unknown>; exact: boolean; caveats: string[] } {
  const pinned = necessaryValues(condition, "eventSource");
  // No eventSource in every case: the rule is about every AWS service's CloudTrail events.
  const eventSources = pinned?.every((value) => typeof value === "string") ? (pinned as string[]) : undefined;
  const sources = eventSources ?? [];
  const canonical = sources.every((value) => CANONICAL_SOURCE.test(value));
  const detail: Record<string, unknown> = {};
  if (eventSources) {
    detail.eventSource = canonical
      ? [...new Set(sources)]
      : [...new Set(sources)].map((text) => ({ "equals-ignore-case": text }));
  }
  const names = necessaryValues(condition, "eventName");
  if (names?.every((value) => typeof value === "string")) {
    const unique = [...new Set(names as string[])];
    detail.eventName = unique.every((name) => CANONICAL_NAME.test(name))
      ? unique
      : unique.map((text) => ({ "equals-ignore-case": text }));
  }
  const caveats: string[] = [];
  let exact = true;
  const pinnedValues: Record<string, Scalar[] | undefined> = { eventSource: eventSources, eventName: names };
  const pinnedBy = new Set<string>();
  for (const part of conjuncts(condition)) {
    const leaf = exactFieldLeaf(part);
    if (leaf && (leaf.field === "eventSource" || leaf.field === "eventName") && detail[leaf.field] !== undefined) {
      // The conjunct the pinned values came from says no more than the pin (its values, any case).
      const values = necessaryValues(part, leaf.field);
      const pinned = pinnedValues[leaf.field];
      if (!pinnedBy.has(leaf.field) && values && pinned && sameValues(values, pinned)) {
        pinnedBy.add(leaf.field);
        continue;
      }
      exact = false;
      continue;
    }
    if (!leaf && options.optionalParts !== false && !("$or" in detail)) {
      // An OR across fields (`a or b`, parentheses): EventBridge's `$or`, when each branch is exact.
      const or = exactOr(part, {
        eventSource: detail.eventSource === undefined ? undefined : eventSources,
        eventName: detail.eventName === undefined ? undefined : names,
      });
      if (or === true) continue;
      if (or) {
        detail.$or = or.branches;
        caveats.push(...or.caveats);
        continue;
      }
    }
    if (!leaf || options.optionalParts === false || !setAt(detail, leaf.field.split("."), leaf.leaf)) {
      exact = false;
      continue;
    }
    caveats.push(...leaf.caveats);
  }
  if (detail.$or && sharesField(detail)) {
    // A later conjunct declared a field a branch declares: the OR stays in code.
    delete detail.$or;
    exact = false;
  }
  const pattern: Record<string, unknown> = eventSources
    ? { source: [...new Set(sources.map((value) => sourceForEventSource(value.toLowerCase())))] }
    : { source: EVERY_AWS_SOURCE, "detail-type": [...CLOUDTRAIL_DETAIL_TYPES] };
  if (Object.keys(detail).length > 0) pattern.detail = detail;
  return { pattern, exact, caveats };
}
