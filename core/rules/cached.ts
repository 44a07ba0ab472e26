import { CATEGORIES, isDetectionId, SEVERITIES } from "../model/catalog.js";
import { RULE_ID_MAX_LENGTH, RULE_ID_PATTERN } from "../model/rule-id-text.js";
import { parseCidr } from "../net/ip.js";
import { FIELD_TEST_KEYS, MAX_CONDITION_DEPTH } from "./condition-operators.js";
import type { UserRule } from "./format.js";
import { checkRegex } from "./regex.js";
import { isRuleSource, RULE_ACTIONS, RULE_KEYS } from "./rule-terms.js";

/**
 * The check a cached rule passes before it is used in place of validating its file again
 * (`load.ts`). A cache entry is the output of `parseRule` for a file whose text hashed to the
 * entry's key, written to the user's own cache directory; this does not prove that, it bounds what
 * an entry that is not (a corrupt file, an older riposte's, someone else's edit) can do: every key
 * is one the format has, and every field that grants something is what a rule file could say —
 * the id (kebab-case, not a built-in's), category, severity, the response (mode, and an action
 * among those a rule may name), the pattern (JSON naming `aws.` sources), the condition as JSON,
 * its depth,
 * regular expressions (the same safety check as validation) and CIDR ranges. Texts shown to people
 * are checked to be text only. Cheaper than validating: no YAML, no schema library, no pattern
 * compilation (the cache key covers the size limit). Anything else: undefined, and the file is
 * validated from its text. Not checked: that the pattern compiles with loop prevention (compiling
 * 300 patterns again cost ~0.1 s, most of what the cache saves); a corrupt cache file is refused
 * whole by its digest (`local/cli/rules-cache.ts`), so only a deliberately edited entry can hold
 * a pattern the engine refuses, and the engine then stops with that pattern's error.
 */

const MODES = new Set(["auto", "approval", "notify"]);
const ACTIONS = new Set<string>(RULE_ACTIONS);
const CORRELATION_TYPES = new Set(["event-count", "value-count"]);

type Plain = Record<string, unknown>;

const isPlain = (value: unknown): value is Plain =>
  typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype;
const isText = (value: unknown): value is string => typeof value === "string";
const isTexts = (value: unknown): value is string[] => Array.isArray(value) && value.every(isText);
const optional = (value: unknown, check: (value: unknown) => boolean) => value === undefined || check(value);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/** JSON values only (what a rule file can hold): plain objects, arrays, finite numbers, text, booleans, null. */
export function isJsonValue(value: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => isJsonValue(item, depth + 1));
  if (!isPlain(value)) return false;
  for (const key in value) if (!isJsonValue(value[key], depth + 1)) return false;
  return true;
}

function isCondition(value: unknown, depth: number): boolean {
  if (depth > MAX_CONDITION_DEPTH || !isPlain(value)) return false;
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === "all" || keys[0] === "any")) {
    const parts = value[keys[0]];
    return Array.isArray(parts) && parts.length > 0 && parts.every((part) => isCondition(part, depth + 1));
  }
  if (keys.length === 1 && keys[0] === "not") return isCondition(value.not, depth + 1);
  if (!isText(value.field) || !keys.every((key) => FIELD_TEST_KEYS.has(key)) || !isJsonValue(value)) return false;
  if (value.regex !== undefined) {
    const flags = value.regexFlags ?? "";
    if (!isText(flags) || !/^[ims]*$/.test(flags)) return false;
    if (!list(value.regex).every((source) => isText(source) && checkRegex(source, flags) === undefined)) return false;
  }
  if (value.cidr !== undefined && !list(value.cidr).every((range) => isText(range) && parseCidr(range))) return false;
  return true;
}

function isCorrelation(value: unknown): boolean {
  return (
    isPlain(value) &&
    CORRELATION_TYPES.has(value.type as string) &&
    isTexts(value.groupBy) &&
    optional(value.field, isText) &&
    Number.isInteger(value.count) &&
    (value.count as number) >= 2 &&
    typeof value.windowMinutes === "number" &&
    value.windowMinutes > 0
  );
}

/** `value` as a rule when it passes the check above, else undefined. */
export function cachedRule(value: unknown): UserRule | undefined {
  if (!isPlain(value) || !Object.keys(value).every((key) => RULE_KEYS.has(key))) return undefined;
  const { id, response, pattern, attack } = value;
  const valid =
    isText(id) &&
    id.length <= RULE_ID_MAX_LENGTH &&
    RULE_ID_PATTERN.test(id) &&
    !isDetectionId(id) &&
    isText(value.title) &&
    isText(value.description) &&
    CATEGORIES.includes(value.category as never) &&
    SEVERITIES.includes(value.severity as never) &&
    isPlain(response) &&
    MODES.has(response.mode as string) &&
    (response.action === undefined ? response.mode === "notify" : ACTIONS.has(response.action as string)) &&
    Object.keys(response).every((key) => key === "mode" || key === "action") &&
    isPlain(pattern) &&
    isJsonValue(pattern) &&
    isRuleSource(pattern.source) &&
    optional(value.condition, (condition) => isCondition(condition, 1)) &&
    optional(value.correlation, isCorrelation) &&
    optional(attack, (it) => isPlain(it) && isText(it.id) && isText(it.name)) &&
    optional(value.why, isText) &&
    optional(value.tuning, isText) &&
    optional(value.asff, isTexts) &&
    optional(value.references, isTexts) &&
    optional(value.falsePositives, isTexts) &&
    optional(value.origin, (origin) => isPlain(origin) && origin.format === "sigma" && isJsonValue(origin));
  return valid ? (value as unknown as UserRule) : undefined;
}
