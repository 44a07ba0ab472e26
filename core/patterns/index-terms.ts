import type { IndexTerm } from "./conditions.js";
import { foldText, type ValueMatcher } from "./values.js";

/**
 * The `IndexTerm` of one operator of a leaf (`{"prefix": "x"}`…), already validated and compiled
 * to `matcher` by `compile.ts`; undefined for `exists: false` (a missing field has no value to
 * find).
 */
export function operatorTerm(item: Record<string, unknown>, matcher: ValueMatcher): IndexTerm | undefined {
  const [operator] = Object.keys(item);
  const operand = item[operator!];
  const test = (loose: boolean): IndexTerm => ({ kind: "test", test: matcher, text: JSON.stringify(item), loose });
  switch (operator) {
    case "prefix":
    case "suffix":
      return typeof operand === "string"
        ? { kind: operator, text: operand, folded: false }
        : {
            kind: operator,
            text: foldText((operand as { "equals-ignore-case": string })["equals-ignore-case"]),
            folded: true,
          };
    case "equals-ignore-case":
      return { kind: "folded", text: foldText(operand as string) };
    case "wildcard":
      return wildcardTerm(operand as string) ?? test(false);
    case "numeric": {
      const terms = operand as unknown[];
      return terms[0] === "=" ? { kind: "exact", value: terms[1] as number } : test(false);
    }
    case "cidr":
      return test(false);
    case "exists":
      return operand === true ? test(true) : undefined;
    default:
      return test(true);
  }
}

/**
 * A wildcard's literal text before its first star (a prefix), else after its last (a suffix); with
 * no star, the literal itself. `\*` and `\\` are a literal star and backslash. Each is `wider`
 * than the wildcard (a prefix ignores the rest; the literal alone is not matched as an address).
 */
function wildcardTerm(expression: string): IndexTerm | undefined {
  const segments: string[] = [""];
  for (let i = 0; i < expression.length; i++) {
    const char = expression[i]!;
    if (char === "\\") segments[segments.length - 1] += expression[++i] ?? "";
    else if (char === "*") segments.push("");
    else segments[segments.length - 1] += char;
  }
  if (segments.length === 1) return { kind: "exact", value: segments[0]!, wider: true };
  if (segments[0]) return { kind: "prefix", text: segments[0], folded: false, wider: true };
  const last = segments[segments.length - 1]!;
  return last ? { kind: "suffix", text: last, folded: false, wider: true } : undefined;
}
