/**
 * Regular expressions in users' rules are matched against attacker-controlled text with
 * JavaScript's backtracking engine, so what a rule may write is bounded to keep the work per value
 * near linear (measured: `.*a.*b` takes 0.6 s on 1,024 characters and 38 s on 4,096; `a+b` under
 * 1 ms):
 * - at most one repetition (`*`, `+`, `{n,}`, `{n,m}`) and at most four optional items (`?`);
 * - no repeated group that contains a repetition, an optional item or an alternation
 *   (`(a+)+`, `(aa?)+`, `(a|ab)*`: exponential);
 * - no backreferences or lookaround;
 * - at most 512 characters of expression, and only the first `REGEX_INPUT_LIMIT` characters of a
 *   value are searched.
 * Anything else is refused at load with the reason; a character class (`[a-z]`) or a fixed count
 * (`{3}`) is usually the way around a refusal.
 */

export const REGEX_INPUT_LIMIT = 4096;
const MAX_SOURCE = 512;
const MAX_REPETITIONS = 1;
const MAX_OPTIONALS = 4;

interface Group {
  repeats: boolean;
  alternates: boolean;
}

/** Why `source` is refused (undefined: accepted). */
export function checkRegex(source: string, flags: string): string | undefined {
  if (source.length > MAX_SOURCE) return `a regular expression may have at most ${MAX_SOURCE} characters`;
  try {
    new RegExp(source, flags);
  } catch (error) {
    return `not a valid regular expression: ${(error as Error).message}`;
  }
  const stack: Group[] = [{ repeats: false, alternates: false }];
  let repetitions = 0;
  let optionals = 0;
  // The group a quantifier right after `)` applies to.
  let closed: Group | undefined;
  for (let i = 0; i < source.length; i++) {
    const char = source[i]!;
    const after = closed;
    closed = undefined;
    const quantifier = readQuantifier(source, i);
    if (quantifier) {
      const top = stack[stack.length - 1]!;
      if (quantifier.kind === "optional") optionals++;
      else if (quantifier.kind === "repeat") repetitions++;
      if (quantifier.kind !== "fixed") {
        if (after && (after.repeats || after.alternates)) {
          return "a repeated group may not contain a repetition, an optional item or an alternation (catastrophic backtracking)";
        }
        top.repeats = true;
      }
      i += quantifier.length - 1;
      // A lazy or possessive-looking suffix (`*?`) is part of the quantifier.
      if (source[i + 1] === "?" && quantifier.kind !== "fixed") i++;
      continue;
    }
    if (char === "\\") {
      const next = source[i + 1] ?? "";
      if (/[1-9]/.test(next) || next === "k") return "backreferences are not allowed";
      i++;
      continue;
    }
    if (char === "[") {
      i = classEnd(source, i);
      continue;
    }
    if (char === "(") {
      if (/^\(\?(=|!|<=|<!)/.test(source.slice(i, i + 4))) return "lookahead and lookbehind are not allowed";
      stack.push({ repeats: false, alternates: false });
      // `(?:` and `(?<name>` open groups too: their `?` is no quantifier.
      const named = /^\(\?(:|<[A-Za-z_$][\w$]*>)/.exec(source.slice(i));
      if (named) i += named[0].length - 1;
      continue;
    }
    if (char === ")") {
      const group = stack.pop()!;
      const parent = stack[stack.length - 1]!;
      parent.repeats ||= group.repeats;
      parent.alternates ||= group.alternates;
      closed = group;
      continue;
    }
    if (char === "|") stack[stack.length - 1]!.alternates = true;
  }
  if (repetitions > MAX_REPETITIONS) {
    return `at most ${MAX_REPETITIONS} repetition (*, +, {n,}, {n,m}) is allowed: with more, matching takes time polynomial in the value's length (use a character class or a fixed count)`;
  }
  if (optionals > MAX_OPTIONALS) return `at most ${MAX_OPTIONALS} optional items (?) are allowed`;
  return undefined;
}

/** The quantifier starting at `i`, if any. */
function readQuantifier(
  source: string,
  i: number,
): { kind: "repeat" | "optional" | "fixed"; length: number } | undefined {
  const char = source[i];
  if (char === "*" || char === "+") return { kind: "repeat", length: 1 };
  if (char === "?") return { kind: "optional", length: 1 };
  if (char === "{") {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
    if (!match) return undefined;
    const fixed = match[2] === undefined || match[3] === match[1];
    return { kind: fixed ? "fixed" : "repeat", length: match[0].length };
  }
  return undefined;
}

/** The index of the `]` closing the class opened at `start`. */
function classEnd(source: string, start: number): number {
  let i = start + 1;
  if (source[i] === "^") i++;
  if (source[i] === "]") i++;
  for (; i < source.length; i++) {
    if (source[i] === "\\") i++;
    else if (source[i] === "]") return i;
  }
  return source.length;
}
