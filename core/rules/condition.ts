import { cidrContains, parseCidr, parseIp } from "../net/ip.js";
import { parsePatternIp } from "../patterns/ip.js";
import { BOUNDS } from "./condition-operators.js";
import type { Condition, FieldTest } from "./condition-schema.js";
import { REGEX_INPUT_LIMIT } from "./regex.js";

/**
 * The condition language of users' rules: what a rule checks in code, after its EventBridge
 * pattern selected the event, when a pattern cannot say it (case-insensitive equality, substrings,
 * regular expressions, the JSON text of an object, `not` over several fields). It is data (JSON or
 * YAML), read by this evaluator — never code: no `eval`, no function names, bounded regexes.
 *
 * A condition is one of
 * - `{ all: [c, …] }` (every one holds), `{ any: [c, …] }` (at least one), `{ not: c }`;
 * - a field test: `{ field: "requestParameters.userName", <operator>: value(s), … }` with exactly
 *   one operator among `equals`, `contains`, `startswith`, `endswith`, `wildcard` (`*` any run of
 *   characters, `?` one; a backslash makes either literal), `regex`, `jsonContains`,
 *   `exists`, `cidr`, and the numeric bounds `gt`/`gte`/`lt`/`lte` (one or several together).
 *
 * Field paths are dot-separated keys of the CloudTrail record (the event's `detail`); an array met
 * on the way (or at the end) is looked through, so `resources.ARN` reads every resource's ARN. A
 * test holds when some value found there passes it (`all: true`: when every listed value is
 * matched by some value found there).
 *
 * Values are compared as text: a number or boolean in the event is its JSON text, so `"true"`
 * matches `true` and `"5"` matches `5`. Text comparisons ignore case unless `cased: true`;
 * `regex` is case-sensitive unless `regexFlags` has `i` (JavaScript syntax, without
 * backreferences or lookaround; nested quantifiers are refused, see `regex.ts`, and only the first
 * 4,096 characters of a value are searched). `jsonContains` searches the JSON text of
 * whatever the field holds (an object, an array, a string), ignoring case: what SIEMs do for
 * `contains` on an object. `exists: true` holds when the field has a value other than null.
 * `cidr` holds for IP addresses in the range; `gt`… hold for numbers and numeric strings.
 */

export type { Condition, FieldTest };

function list<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Every value at `path` in `record`, arrays looked through (at most one level per step). */
export function valuesAt(record: unknown, path: readonly string[]): unknown[] {
  // Most records have no array on the way: walk down without a list per step (conditions run on
  // every event their rule's pattern selects, and this was the scan's hottest function with 300 rules).
  let value = record;
  for (let step = 0; step < path.length; step++) {
    if (Array.isArray(value)) return valuesThrough([value], path, step);
    const key = path[step]!;
    if (!isObject(value) || !Object.hasOwn(value, key)) return [];
    value = value[key];
  }
  return Array.isArray(value) ? value : [value];
}

/** What `soleValueAt` answers when an array is on the way or at the end: read `valuesAt`. */
const THROUGH_ARRAY: unique symbol = Symbol("through an array");

/**
 * The one value at `path` in `record` (undefined when there is none), or `THROUGH_ARRAY` when an
 * array is met on the way or holds the values: most records have none, and the common case then
 * costs no list.
 */
function soleValueAt(record: unknown, path: readonly string[]): unknown {
  let value = record;
  for (let step = 0; step < path.length; step++) {
    if (Array.isArray(value)) return THROUGH_ARRAY;
    const key = path[step]!;
    if (!isObject(value) || !Object.hasOwn(value, key)) return undefined;
    value = value[key];
  }
  return Array.isArray(value) ? THROUGH_ARRAY : value;
}

/**
 * The value at one field path in the record read last, shared by every test of that path: the
 * rules an event is tested against often read the same field (`requestParameters` for each of
 * several `jsonContains`, a selection's request field), which is then walked to, and lower-cased,
 * once per event. One slot per path: the tests of one event run one after another, and an event's
 * fields are not changed while it is matched (it keeps the last record tested alive, no more).
 */
class FieldRead {
  private record: unknown = NOTHING;
  private value: unknown;
  private folded: string | undefined;

  constructor(private readonly path: readonly string[]) {}

  /** `soleValueAt(record, path)`. */
  soleIn(record: unknown): unknown {
    if (record !== this.record) {
      this.value = soleValueAt(record, this.path);
      this.folded = undefined;
      this.record = record;
    }
    return this.value;
  }

  /** `text` lower-cased: the text of the value `soleIn(record)` just answered. */
  foldedText(text: string): string {
    this.folded ??= text.toLowerCase();
    return this.folded;
  }
}

const NOTHING = {};

/** The shared reads, by path; past this many paths each test reads for itself (bounds memory). */
const fieldReads = new Map<string, FieldRead>();
const FIELD_READS_LIMIT = 4096;

function fieldRead(field: string): FieldRead {
  let read = fieldReads.get(field);
  if (!read) {
    read = new FieldRead(field.split("."));
    if (fieldReads.size < FIELD_READS_LIMIT) fieldReads.set(field, read);
  }
  return read;
}

/** Whether some of `tests` (every one, with `every`) passes `value`. */
function passes<T>(tests: readonly ((value: T) => boolean)[], value: T, every: boolean): boolean {
  for (let i = 0; i < tests.length; i++) if (tests[i]!(value) !== every) return !every;
  return every;
}

/** `valuesAt` from `path[from]` on, for the values `current` (some of them arrays). */
function valuesThrough(current: unknown[], path: readonly string[], from: number): unknown[] {
  for (const key of path.slice(from)) {
    const next: unknown[] = [];
    for (const value of current) {
      for (const item of Array.isArray(value) ? value : [value]) {
        if (isObject(item) && Object.hasOwn(item, key)) next.push(item[key]);
      }
    }
    current = next;
    if (current.length === 0) return current;
  }
  return current.flatMap((value) => (Array.isArray(value) ? value : [value]));
}

/** A scalar's text: strings as they are, numbers and booleans as JSON writes them. */
function scalarText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

function numberOf(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string" && /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

type Test = (value: unknown) => boolean;

/**
 * How a test compares text: as it is with `cased`, else lower-cased. Not `foldText`'s table: the
 * fields rules test are mostly a request's own values, new at each event, which the table would
 * only fill (and keep alive); a field's text is lower-cased once per event (`FieldRead`).
 */
const asIs = (text: string): string => text;
const lowerCase = (text: string): string => text.toLowerCase();
const foldFor = (cased: boolean | undefined): ((text: string) => string) => (cased ? asIs : lowerCase);

/**
 * `condition` without the field tests a pattern already decides: `pinned` holds, per top-level
 * field of the record, the exact strings the pattern requires there (one of them is in every
 * event the pattern selects). A case-insensitive or cased `equals` on such a field that every
 * one of those strings passes holds on every such event, so it is left out (`true`: nothing is
 * left). Sigma translations repeat a selection's `eventSource` and `eventName` in the condition
 * their pattern already pins; this spares testing them again on every event.
 */
export function withoutPinnedTests(
  condition: Condition,
  pinned: ReadonlyMap<string, readonly string[]>,
): Condition | true {
  if ("all" in condition && Array.isArray(condition.all)) {
    const parts = condition.all
      .map((part) => withoutPinnedTests(part, pinned))
      .filter((part): part is Condition => part !== true);
    if (parts.length === 0) return true;
    return parts.length === 1 ? parts[0]! : { all: parts };
  }
  if ("any" in condition && Array.isArray(condition.any)) {
    const parts = condition.any.map((part) => withoutPinnedTests(part, pinned));
    if (parts.some((part) => part === true)) return true;
    return parts.length === 1 ? (parts[0] as Condition) : { any: parts as Condition[] };
  }
  if ("not" in condition) {
    const inner = withoutPinnedTests(condition.not as Condition, pinned);
    return inner === true ? condition : { not: inner };
  }
  const test = condition as FieldTest;
  const values = pinned.get(test.field);
  if (test.equals === undefined || test.all === true || !values || values.length === 0) return condition;
  const fold = foldFor(test.cased);
  const wanted = new Set(list(test.equals).map((value) => fold(String(value))));
  return values.every((value) => wanted.has(fold(value))) ? true : condition;
}

/**
 * The exact strings a rule's pattern requires per top-level field of the record (`detail.F` a
 * list of plain strings, outside any `$or`). Strings that read as IP addresses are left out: the
 * pattern also matches their other spellings, which a text comparison would not.
 */
function pinnedFields(pattern: Record<string, unknown>): Map<string, string[]> {
  const pinned = new Map<string, string[]>();
  const detail = pattern.detail;
  if (!isObject(detail)) return pinned;
  for (const [field, values] of Object.entries(detail)) {
    if (field === "$or" || !Array.isArray(values) || values.length === 0) continue;
    if (values.every((value) => typeof value === "string" && !parsePatternIp(value))) pinned.set(field, values);
  }
  return pinned;
}

/**
 * A rule's condition compiled once, without what its (validated) pattern already decides
 * (`withoutPinnedTests`); undefined when it has none or nothing is left of it.
 */
export function ruleCondition(
  condition: Condition | undefined,
  pattern: Record<string, unknown>,
): CompiledCondition | undefined {
  if (!condition) return undefined;
  const rest = withoutPinnedTests(condition, pinnedFields(pattern));
  return rest === true ? undefined : compileCondition(rest);
}

/** A compiled condition: a function of the CloudTrail record. */
export type CompiledCondition = (record: unknown) => boolean;

/** Compile a validated condition (`ConditionSchema`) into a function of the record. */
export function compileCondition(condition: Condition): CompiledCondition {
  // Loops, not `every`/`some`: those would make a closure over `record` at each test.
  if ("all" in condition && Array.isArray(condition.all)) {
    const parts = condition.all.map(compileCondition);
    return (record) => {
      for (let i = 0; i < parts.length; i++) if (!parts[i]!(record)) return false;
      return true;
    };
  }
  if ("any" in condition && Array.isArray(condition.any)) {
    const parts = condition.any.map(compileCondition);
    return (record) => {
      for (let i = 0; i < parts.length; i++) if (parts[i]!(record)) return true;
      return false;
    };
  }
  if ("not" in condition) {
    const inner = compileCondition(condition.not as Condition);
    return (record) => !inner(record);
  }
  return compileFieldTest(condition as FieldTest);
}

/**
 * The lower-cased JSON text of the object or array `jsonContains` searched last: the rules that
 * search one event's field run one after another, so it is written once for all of them. (One
 * slot, not a `WeakMap`: a weak map's entries cost every garbage collection.) An event's fields
 * are not changed while it is matched.
 */
let lastJson: object | undefined;
let lastJsonText = "";

function lowerJsonText(value: unknown): string {
  if (typeof value === "string") return value.toLowerCase();
  if (typeof value !== "object" || value === null) return JSON.stringify(value).toLowerCase();
  if (value !== lastJson) {
    lastJsonText = JSON.stringify(value).toLowerCase();
    lastJson = value;
  }
  return lastJsonText;
}

function compileFieldTest(test: FieldTest): CompiledCondition {
  const path = test.field.split(".");
  if (test.exists !== undefined) {
    const wanted = test.exists;
    return (record) => valuesAt(record, path).some((value) => value !== null && value !== undefined) === wanted;
  }
  if (BOUNDS.some((name) => test[name] !== undefined)) {
    const { gt, gte, lt, lte } = test;
    const inRange: Test = (value) => {
      const n = numberOf(value);
      if (n === undefined) return false;
      return (
        (gt === undefined || n > gt) &&
        (gte === undefined || n >= gte) &&
        (lt === undefined || n < lt) &&
        (lte === undefined || n <= lte)
      );
    };
    return (record) => valuesAt(record, path).some(inRange);
  }
  const every = test.all === true;
  const textTests = textValueTests(test);
  const read = fieldRead(test.field);
  if (textTests) {
    // Each value found is turned into (lower-cased) text once, then tried against every listed value.
    const cased = test.cased === true;
    const fold = foldFor(cased);
    return (record) => {
      const sole = read.soleIn(record);
      if (sole !== THROUGH_ARRAY) {
        // One value (or none), no array on the way: no list is made.
        const found = scalarText(sole);
        return found !== undefined && passes(textTests, cased ? found : read.foldedText(found), every);
      }
      const values = valuesAt(record, path);
      if (values.length === 0) return false;
      if (values.length === 1) {
        const found = scalarText(values[0]);
        return found !== undefined && passes(textTests, fold(found), every);
      }
      const texts: string[] = [];
      for (const value of values) {
        const found = scalarText(value);
        if (found !== undefined) texts.push(fold(found));
      }
      if (texts.length === 0) return false;
      return every
        ? textTests.every((one) => texts.some((text) => one(text)))
        : textTests.some((one) => texts.some((text) => one(text)));
    };
  }
  const tests = valueTests(test);
  return (record) => {
    const sole = read.soleIn(record);
    if (sole !== THROUGH_ARRAY) return sole !== undefined && passes(tests, sole, every);
    const values = valuesAt(record, path);
    if (values.length === 0) return false;
    return every
      ? tests.every((one) => values.some((value) => one(value)))
      : tests.some((one) => values.some((value) => one(value)));
  };
}

/**
 * For the operators on a scalar's text (`equals`, `contains`, `startswith`, `endswith`,
 * `wildcard`): one test per listed value, of the found text already folded as `cased` says.
 */
function textValueTests(test: FieldTest): ((text: string) => boolean)[] | undefined {
  const fold = foldFor(test.cased);
  if (test.equals !== undefined) {
    return list(test.equals).map((expected) => {
      const want = fold(String(expected));
      return (found) => found === want;
    });
  }
  if (test.contains !== undefined)
    return list(test.contains).map((part) => {
      const want = fold(part);
      return (found) => found.includes(want);
    });
  if (test.startswith !== undefined)
    return list(test.startswith).map((part) => {
      const want = fold(part);
      return (found) => found.startsWith(want);
    });
  if (test.endswith !== undefined)
    return list(test.endswith).map((part) => {
      const want = fold(part);
      return (found) => found.endsWith(want);
    });
  if (test.wildcard !== undefined) {
    return list(test.wildcard).map((glob) => {
      const parts = globParts(fold(glob));
      return (found) => globMatches(parts, found);
    });
  }
  return undefined;
}

/** One test per listed value of the other operators (`jsonContains`, `regex`, `cidr`). */
function valueTests(test: FieldTest): Test[] {
  if (test.jsonContains !== undefined) {
    return list(test.jsonContains).map((part) => {
      const want = part.toLowerCase();
      return (value) => value !== undefined && lowerJsonText(value).includes(want);
    });
  }
  if (test.regex !== undefined) {
    return list(test.regex).map((source) => {
      const regex = new RegExp(source, test.regexFlags ?? "");
      return (value) => {
        const found = scalarText(value);
        return found !== undefined && regex.test(found.slice(0, REGEX_INPUT_LIMIT));
      };
    });
  }
  if (test.cidr !== undefined) {
    return list(test.cidr).map((range) => {
      const cidr = parseCidr(range)!;
      return (value) => {
        if (typeof value !== "string") return false;
        const ip = parseIp(value);
        return ip !== undefined && cidrContains(cidr, ip);
      };
    });
  }
  throw new Error(`field test on ${test.field} has no operator`);
}

type GlobPart = { literal: string } | { any: true } | { one: true };

/** A glob's parts: literal runs, `*` and `?` (a backslash before `*`, `?` or `\\` makes it literal). */
export function globParts(glob: string): GlobPart[] {
  const parts: GlobPart[] = [];
  let literal = "";
  const flush = () => {
    if (literal) parts.push({ literal });
    literal = "";
  };
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    const next = glob[i + 1];
    if (char === "\\" && (next === "*" || next === "?" || next === "\\")) {
      literal += next;
      i++;
    } else if (char === "*") {
      flush();
      if (!(parts.at(-1) && "any" in parts.at(-1)!)) parts.push({ any: true });
    } else if (char === "?") {
      flush();
      parts.push({ one: true });
    } else literal += char;
  }
  flush();
  return parts;
}

/**
 * Whether `text` matches the glob: greedy with a return to the last `*` only (no backtracking
 * beyond it), at most O(length × parts) steps whatever the input.
 */
export function globMatches(parts: readonly GlobPart[], text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let starAt = 0;
  while (t < text.length || p < parts.length) {
    const part = parts[p];
    if (part && "any" in part) {
      star = p++;
      starAt = t;
      continue;
    }
    if (part && "one" in part && t < text.length) {
      p++;
      t++;
      continue;
    }
    if (part && "literal" in part && text.startsWith(part.literal, t)) {
      p++;
      t += part.literal.length;
      continue;
    }
    if (star < 0 || starAt >= text.length) return false;
    p = star + 1;
    t = ++starAt;
  }
  return true;
}
