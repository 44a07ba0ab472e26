import type { CompiledPattern, IndexTerm, LeafCondition, ObjectCondition } from "./conditions.js";
import { copyJson } from "./copy-json.js";
import { InvalidPattern } from "./errors.js";
import { expandAlternatives } from "./expand.js";
import { operatorTerm } from "./index-terms.js";
import { parsePatternIp } from "./ip.js";
import {
  anyLeaf,
  anythingBut,
  cidrMatcher,
  equalsIgnoreCaseMatcher,
  exactMatcher,
  NUMERIC_LIMIT,
  numericMatcher,
  prefixMatcher,
  suffixMatcher,
  type ValueMatcher,
  wildcardMatcher,
} from "./values.js";

/**
 * Compiles an EventBridge event pattern (the JSON language AWS documents, as implemented by
 * aws/event-ruler) into a tree of matchers, validating it with errors that name the path and the
 * problem. Matching is in `match.ts`.
 */

export type { CompiledPattern, FieldCondition, IndexTerm, LeafCondition, ObjectCondition } from "./conditions.js";

const OPERATORS = new Set([
  "prefix",
  "suffix",
  "anything-but",
  "numeric",
  "exists",
  "cidr",
  "equals-ignore-case",
  "wildcard",
]);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const describe = (value: unknown): string => (value === null ? "null" : Array.isArray(value) ? "array" : typeof value);

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/**
 * Compile and validate an event pattern (an object, or its JSON text). Throws `InvalidPattern`
 * naming the path and the problem, as EventBridge's PutRule would reject it.
 */
export function compilePattern(pattern: unknown): CompiledPattern {
  let value = pattern;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch (error) {
      throw new InvalidPattern("", `not valid JSON (${(error as Error).message})`);
    }
  }
  if (!isPlainObject(value)) throw new InvalidPattern("", `the pattern must be a JSON object, not ${describe(value)}`);
  const root = compileObject(value, "", [], false);
  return { root, alternatives: expandAlternatives(root), source: copyJson(value) };
}

function compileObject(
  value: Record<string, unknown>,
  path: string,
  fieldPath: readonly string[],
  insideOr: boolean,
): ObjectCondition {
  const keys = Object.keys(value);
  if (keys.length === 0) throw new InvalidPattern(path, "empty objects are not allowed");
  const condition: ObjectCondition = { fields: [], ors: [] };
  for (const key of keys) {
    const member = value[key];
    const memberPath = join(path, key);
    if (key === "$or") {
      condition.ors.push(compileOr(member, memberPath, fieldPath));
      continue;
    }
    if (insideOr && OPERATORS.has(key)) {
      throw new InvalidPattern(memberPath, `"${key}" is an operator and cannot be a field name inside $or`);
    }
    if (Array.isArray(member)) {
      condition.fields.push({ key, at: memberPath, leaf: compileLeaf(member, memberPath, [...fieldPath, key]) });
    } else if (isPlainObject(member)) {
      condition.fields.push({
        key,
        at: memberPath,
        child: compileObject(member, memberPath, [...fieldPath, key], insideOr),
      });
    } else {
      throw new InvalidPattern(memberPath, `"${key}" must be an object or an array, not ${describe(member)}`);
    }
  }
  return condition;
}

function compileOr(member: unknown, path: string, fieldPath: readonly string[]): ObjectCondition[] {
  if (!Array.isArray(member)) throw new InvalidPattern(path, "$or must be followed by an array of objects");
  if (member.length < 2) throw new InvalidPattern(path, "$or needs at least 2 objects");
  return member.map((alternative, index) => {
    const altPath = `${path}[${index}]`;
    if (!isPlainObject(alternative)) throw new InvalidPattern(altPath, "only JSON objects are allowed in $or");
    return compileObject(alternative, altPath, fieldPath, true);
  });
}

function compileLeaf(values: unknown[], path: string, fieldPath: string[]): LeafCondition {
  if (values.length === 0) throw new InvalidPattern(path, "empty arrays are not allowed");
  const leaf: LeafCondition = { path: fieldPath, matchers: [], absent: false };
  let terms: IndexTerm[] | undefined = [];
  const exactStrings: string[] = [];
  values.forEach((item, index) => {
    const itemPath = `${path}[${index}]`;
    if (isPlainObject(item)) {
      const operator = compileOperator(item, itemPath);
      if (operator === "absent") leaf.absent = true;
      else leaf.matchers.push(operator);
      const term = operator === "absent" ? undefined : operatorTerm(item, operator);
      if (term) terms?.push(term);
      else terms = undefined;
      return;
    }
    if (item === null || typeof item === "string" || typeof item === "number" || typeof item === "boolean") {
      if (typeof item === "string") exactStrings.push(item);
      if (typeof item === "number") exactNumber(item, itemPath);
      leaf.matchers.push(exactMatcher(item));
      terms?.push({ kind: "exact", value: item });
      return;
    }
    throw new InvalidPattern(itemPath, "match value must be a string, number, true, false, or null");
  });
  if (terms) leaf.terms = terms;
  // Many plain strings (event names, sources): one set lookup instead of a matcher each.
  if (
    exactStrings.length === values.length &&
    exactStrings.length > 2 &&
    !exactStrings.some((text) => parsePatternIp(text))
  ) {
    const set = new Set(exactStrings);
    leaf.matchers = [(value) => typeof value === "string" && set.has(value)];
  }
  return leaf;
}

function compileOperator(item: Record<string, unknown>, path: string): ValueMatcher | "absent" {
  const keys = Object.keys(item);
  if (keys.length !== 1) throw new InvalidPattern(path, "only one key allowed in match expression");
  const operator = keys[0]!;
  const operand = item[operator];
  const at = join(path, operator);
  switch (operator) {
    case "prefix":
    case "suffix":
      return affixMatcher(operator, operand, at);
    case "equals-ignore-case":
      return equalsIgnoreCaseMatcher(stringOperand(operand, at, "equals-ignore-case"));
    case "wildcard":
      return wildcardMatcher(stringOperand(operand, at, "wildcard"), at);
    case "numeric":
      return numericMatcher(operand, at);
    case "cidr":
      return cidrMatcher(operand, at);
    case "exists":
      if (operand === true) return anyLeaf;
      if (operand === false) return "absent";
      throw new InvalidPattern(at, "exists match pattern must be either true or false");
    case "anything-but":
      return anythingBut(anythingButExcluded(operand, at));
    default:
      throw new InvalidPattern(path, `unrecognized match type "${operator}"`);
  }
}

function stringOperand(operand: unknown, path: string, name: string): string {
  if (typeof operand !== "string") throw new InvalidPattern(path, `${name} match pattern must be a string`);
  return operand;
}

/** `{"prefix": "x"}` or `{"prefix": {"equals-ignore-case": "x"}}` (same for suffix). */
function affixMatcher(operator: "prefix" | "suffix", operand: unknown, path: string): ValueMatcher {
  let text = operand;
  let ignoreCase = false;
  if (isPlainObject(operand)) {
    const keys = Object.keys(operand);
    if (keys.length !== 1 || keys[0] !== "equals-ignore-case") {
      throw new InvalidPattern(path, `${operator} accepts a string or {"equals-ignore-case": string}`);
    }
    text = operand["equals-ignore-case"];
    ignoreCase = true;
  }
  const value = stringOperand(text, path, operator);
  return operator === "prefix" ? prefixMatcher(value, ignoreCase) : suffixMatcher(value, ignoreCase);
}

/**
 * What an `anything-but` excludes: values, or a prefix/suffix/wildcard/equals-ignore-case test.
 * Excluded strings are compared as text, IP addresses included: EventBridge does not normalize
 * addresses inside anything-but, so `{"anything-but": "2001:DB8::1"}` still matches `2001:db8::1`.
 */
function anythingButExcluded(operand: unknown, path: string): ValueMatcher {
  if (typeof operand === "string") return (value) => value === operand;
  if (typeof operand === "number") return numberOperand(operand, path);
  if (Array.isArray(operand)) {
    if (operand.length === 0) throw new InvalidPattern(path, "anything-but needs at least one value");
    const strings = operand.every((value) => typeof value === "string");
    const numbers = operand.every((value) => typeof value === "number");
    if (!strings && !numbers) {
      throw new InvalidPattern(path, "inside an anything-but list, values must be all strings or all numbers");
    }
    if (strings) {
      const set = new Set(operand as string[]);
      return (value) => typeof value === "string" && set.has(value);
    }
    const matchers = operand.map((value) => numberOperand(value as number, path));
    return (value) => matchers.some((matcher) => matcher(value));
  }
  if (isPlainObject(operand)) {
    const keys = Object.keys(operand);
    if (keys.length !== 1) throw new InvalidPattern(path, "only one key allowed in an anything-but expression");
    const inner = keys[0]!;
    const innerPath = join(path, inner);
    if (!["prefix", "suffix", "wildcard", "equals-ignore-case"].includes(inner)) {
      throw new InvalidPattern(path, `unsupported anything-but pattern: ${inner}`);
    }
    const list = listOfStrings(operand[inner], innerPath, inner);
    let matchers: ValueMatcher[];
    switch (inner) {
      case "prefix":
      case "suffix":
        if (list.some((text) => text.length === 0)) throw new InvalidPattern(innerPath, `empty ${inner} not allowed`);
        matchers = list.map((text) => (inner === "prefix" ? prefixMatcher(text, false) : suffixMatcher(text, false)));
        break;
      case "wildcard":
        matchers = list.map((text) => wildcardMatcher(text, innerPath));
        break;
      default:
        matchers = list.map((text) => equalsIgnoreCaseMatcher(text));
    }
    return (value) => matchers.some((matcher) => matcher(value));
  }
  throw new InvalidPattern(path, "value of anything-but must be a string, a number, an array, or an object");
}

/**
 * An exact number must be one Riposte compares as EventBridge does. EventBridge compares a large
 * integer by its digits; Riposte sees numbers once parsed, where every integer beyond 2^53 shares
 * its value with its neighbours (12345678901234567890 and …891 are one double), so it would
 * answer "match" where EventBridge answers "no match". Such a pattern is refused instead.
 */
function exactNumber(value: number, path: string): void {
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
    throw new InvalidPattern(
      path,
      `the number ${value} is beyond double precision (±${Number.MAX_SAFE_INTEGER}): EventBridge compares such a number by its digits, which Riposte cannot see once the event is parsed; match it as a string if the event carries one`,
    );
  }
}

function numberOperand(value: number, path: string): ValueMatcher {
  exactNumber(value, path);
  if (!Number.isFinite(value) || Math.abs(value) > NUMERIC_LIMIT) {
    throw new InvalidPattern(path, `numeric value ${value} is outside the supported range ±${NUMERIC_LIMIT}`);
  }
  return (candidate) => candidate === value;
}

function listOfStrings(value: unknown, path: string, name: string): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === "string")) {
    return value as string[];
  }
  throw new InvalidPattern(path, `${name} inside anything-but must be a string or a non-empty array of strings`);
}
