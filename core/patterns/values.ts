import { InvalidPattern } from "./errors.js";
import { inPatternCidr, parsePatternCidr, parsePatternIp } from "./ip.js";

/**
 * Matchers for one leaf value of an event (a string, number, boolean or null; never an object or
 * an array — arrays are flattened by the caller). Each constructor validates its operand the way
 * EventBridge does and throws `InvalidPattern` naming `path`.
 */
export type ValueMatcher = (value: unknown) => boolean;

/** EventBridge compares numbers only within ±5.0e9 (six decimal places). */
export const NUMERIC_LIMIT = 5e9;

const isLeaf = (value: unknown): boolean => value === null || typeof value !== "object";

/** Any leaf value: `{"exists": true}`. */
export const anyLeaf: ValueMatcher = isLeaf;

/**
 * An exact literal: a string, number, boolean or null. An IP address literal also matches the
 * other spellings of the same address (`2001:DB8::1`, `2001:db8:0::1`), as EventBridge turns it
 * into a one-address range; what counts as an address is `parsePatternIp`'s strict reading.
 */
export function exactMatcher(literal: string | number | boolean | null): ValueMatcher {
  if (typeof literal === "string") {
    const ip = parsePatternIp(literal);
    if (ip) {
      return (value) => {
        if (typeof value !== "string") return false;
        if (value === literal) return true;
        const other = parsePatternIp(value);
        return other !== undefined && other.version === ip.version && other.value === ip.value;
      };
    }
  }
  return (value) => value === literal;
}

export function prefixMatcher(prefix: string, ignoreCase: boolean): ValueMatcher {
  if (!ignoreCase) return (value) => typeof value === "string" && value.startsWith(prefix);
  const folded = fold(prefix);
  return (value) => typeof value === "string" && fold(value).startsWith(folded);
}

export function suffixMatcher(suffix: string, ignoreCase: boolean): ValueMatcher {
  if (!ignoreCase) return (value) => typeof value === "string" && value.endsWith(suffix);
  const folded = fold(suffix);
  return (value) => typeof value === "string" && fold(value).endsWith(folded);
}

export function equalsIgnoreCaseMatcher(text: string): ValueMatcher {
  const folded = fold(text);
  return (value) => typeof value === "string" && fold(value) === folded;
}

/** Case folding for `equals-ignore-case`: both sides lower-cased the same way. */
function fold(text: string): string {
  return foldText(text);
}

/**
 * Lower-cased texts of the events at hand: every pattern an event is tested against reads the
 * same few fields of it (`eventSource`, `eventName`, a request field), each of which is then
 * lower-cased once, not once per pattern. Bounded; long texts are not kept. (Rule conditions
 * lower-case a field once per event instead: `core/rules/condition.ts`.)
 */
const foldedTexts = new Map<string, string>();
const FOLD_CACHE_LIMIT = 10_000;
const FOLD_CACHE_TEXT = 256;

export function foldText(text: string): string {
  if (text.length > FOLD_CACHE_TEXT) return text.toLowerCase();
  let lower = foldedTexts.get(text);
  if (lower === undefined) {
    if (foldedTexts.size >= FOLD_CACHE_LIMIT) foldedTexts.clear();
    lower = text.toLowerCase();
    foldedTexts.set(text, lower);
  }
  return lower;
}

/**
 * A wildcard expression: `*` matches any run of characters, `\*` a literal star and `\\` a
 * backslash. Consecutive stars and backslashes before any other character are rejected.
 */
export function wildcardMatcher(expression: string, path: string): ValueMatcher {
  return compileWildcard(expression, path);
}

function compileWildcard(expression: string, path: string): ValueMatcher {
  let source = "";
  let literalOnly = true;
  for (let i = 0; i < expression.length; i++) {
    const char = expression[i]!;
    if (char === "\\") {
      const next = expression[i + 1];
      if (next !== "*" && next !== "\\") {
        throw new InvalidPattern(path, "a backslash in a wildcard may only escape * or \\");
      }
      source += escapeRegExp(next);
      i++;
    } else if (char === "*") {
      if (expression[i + 1] === "*") throw new InvalidPattern(path, "consecutive wildcard characters are not allowed");
      source += "[\\s\\S]*";
      literalOnly = false;
    } else {
      source += escapeRegExp(char);
    }
  }
  if (literalOnly) {
    const literal = expression.replaceAll(/\\([*\\])/g, "$1");
    return (value) => value === literal;
  }
  const regex = new RegExp(`^${source}$`, "u");
  return (value) => typeof value === "string" && regex.test(value);
}

/**
 * Escapes the regular-expression syntax characters. Only those: with the `u` flag an escaped
 * `-` (or any other non-syntax character) is itself a syntax error, which refused `us-*`.
 */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** A numeric range: `[">", 0, "<=", 5]`, `["=", 3.018e2]`, `["<", 10]`… */
export function numericMatcher(terms: unknown, path: string): ValueMatcher {
  if (!Array.isArray(terms) || terms.length === 0) {
    throw new InvalidPattern(path, 'value of numeric must be a non-empty array such as [">", 0, "<=", 5]');
  }
  const number = (index: number, operator: string): number => {
    const value = terms[index];
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new InvalidPattern(path, `value of ${operator} must be numeric`);
    }
    if (Math.abs(value) > NUMERIC_LIMIT) {
      throw new InvalidPattern(path, `numeric value ${value} is outside the supported range ±${NUMERIC_LIMIT}`);
    }
    return value;
  };
  const operator = terms[0];
  let low = Number.NEGATIVE_INFINITY;
  let high = Number.POSITIVE_INFINITY;
  let lowOpen = true;
  let highOpen = true;
  let used = 2;
  if (operator === "=") {
    low = high = number(1, "=");
    lowOpen = highOpen = false;
  } else if (operator === ">" || operator === ">=") {
    low = number(1, operator);
    lowOpen = operator === ">";
    if (terms.length > 2) {
      const top = terms[2];
      if (top !== "<" && top !== "<=") throw new InvalidPattern(path, `bad numeric range operator: ${String(top)}`);
      high = number(3, top);
      highOpen = top === "<";
      used = 4;
      // EventBridge refuses equal bounds too (the range would hold one value, or none).
      if (low >= high) {
        throw new InvalidPattern(
          path,
          `the lower bound of a numeric range must be below the upper bound (for one value, write ["=", ${low}])`,
        );
      }
    }
  } else if (operator === "<" || operator === "<=") {
    high = number(1, operator);
    highOpen = operator === "<";
  } else {
    throw new InvalidPattern(path, `unrecognized numeric range operator: ${JSON.stringify(operator)}`);
  }
  if (terms.length > used) throw new InvalidPattern(path, "too many elements in numeric expression");
  return (value) => {
    if (typeof value !== "number" || Math.abs(value) > NUMERIC_LIMIT) return false;
    if (lowOpen ? value <= low : value < low) return false;
    if (highOpen ? value >= high : value > high) return false;
    return true;
  };
}

/** An IPv4 or IPv6 CIDR range; event values that are not addresses never match. */
export function cidrMatcher(text: unknown, path: string): ValueMatcher {
  if (typeof text !== "string") throw new InvalidPattern(path, "cidr match pattern must be a string");
  const cidr = parsePatternCidr(text);
  if (typeof cidr === "string") throw new InvalidPattern(path, `"${text}" is refused: ${cidr}`);
  return (value) => {
    if (typeof value !== "string") return false;
    const ip = parsePatternIp(value);
    return ip !== undefined && inPatternCidr(cidr, ip);
  };
}

/** `anything-but`: any leaf value the inner matcher rejects (a missing field never matches). */
export function anythingBut(excluded: ValueMatcher): ValueMatcher {
  return (value) => isLeaf(value) && !excluded(value);
}
