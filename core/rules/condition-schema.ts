import { z } from "zod";
import { parseCidr } from "../net/ip.js";
import { BOUNDS, MAX_CONDITION_DEPTH, STRING_OPERATORS } from "./condition-operators.js";
import { checkRegex } from "./regex.js";

/**
 * The schema of users' rule conditions (the language: `condition.ts`). Apart from the evaluator,
 * so what evaluates conditions (a scan's reader threads) loads no validation library.
 */

const MAX_VALUES = 500;
const MAX_TEXT = 4096;

const text = z.string().max(MAX_TEXT, `at most ${MAX_TEXT} characters`);
const scalar = z.union([text, z.number(), z.boolean()]);
const scalars = z.union([scalar, z.array(scalar).min(1).max(MAX_VALUES)]);
const texts = z.union([text.min(1), z.array(text.min(1)).min(1).max(MAX_VALUES)]);
export const FieldPathSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^.]+(\.[^.]+)*$/, "expected dot-separated keys such as requestParameters.userName");

const FieldTestSchema = z
  .strictObject({
    field: FieldPathSchema,
    equals: scalars.optional(),
    contains: texts.optional(),
    startswith: texts.optional(),
    endswith: texts.optional(),
    /** `*` any run of characters, `?` one character; `\\*`, `\\?` and `\\\\` are literal. */
    wildcard: texts.optional(),
    regex: texts.optional(),
    jsonContains: texts.optional(),
    cidr: texts.optional(),
    exists: z.boolean().optional(),
    gt: z.number().optional(),
    gte: z.number().optional(),
    lt: z.number().optional(),
    lte: z.number().optional(),
    /** Every listed value must be matched (Sigma's `|all`); default: any of them. */
    all: z.boolean().optional(),
    /** Compare text with case (default: ignore case). Not for `regex`: see `regexFlags`. */
    cased: z.boolean().optional(),
    /** `regex` flags: i (ignore case), m (multi-line), s (dot matches newlines). */
    regexFlags: z
      .string()
      .regex(/^(?!.*(.).*\1)[ims]*$/, "expected some of the flags i, m, s, each once")
      .optional(),
  })
  .superRefine((test, ctx) => {
    const used = [
      ...STRING_OPERATORS.filter((name) => test[name] !== undefined),
      ...(test.exists !== undefined ? ["exists"] : []),
      ...(BOUNDS.some((name) => test[name] !== undefined) ? ["gt/gte/lt/lte"] : []),
    ];
    if (used.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message:
          used.length === 0
            ? `a field test needs one operator: ${[...STRING_OPERATORS, "exists", "gt", "gte", "lt", "lte"].join(", ")}`
            : `a field test takes one operator, not ${used.join(" and ")} (combine tests with all/any)`,
      });
    }
    if (test.regexFlags !== undefined && test.regex === undefined) {
      ctx.addIssue({ code: "custom", path: ["regexFlags"], message: "regexFlags applies to regex only" });
    }
    if (test.regex !== undefined) {
      for (const [index, source] of list(test.regex).entries()) {
        const problem = checkRegex(source, test.regexFlags ?? "");
        if (problem)
          ctx.addIssue({
            code: "custom",
            path: Array.isArray(test.regex) ? ["regex", index] : ["regex"],
            message: problem,
          });
      }
    }
    if (test.cidr !== undefined) {
      for (const [index, range] of list(test.cidr).entries()) {
        if (!parseCidr(range)) {
          ctx.addIssue({
            code: "custom",
            path: Array.isArray(test.cidr) ? ["cidr", index] : ["cidr"],
            message: `"${range}" is not a CIDR range such as 10.0.0.0/8`,
          });
        }
      }
    }
  });

export type FieldTest = z.infer<typeof FieldTestSchema>;
export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | FieldTest;

// Field tests first: they are most of a condition's nodes, and a union tries its options in order
// (each failed option costs its issues before the next is tried).
/** The keys a field test may have (what a cached rule's condition is checked against). */

export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    FieldTestSchema,
    z.strictObject({ all: z.array(ConditionSchema).min(1).max(MAX_VALUES) }),
    z.strictObject({ any: z.array(ConditionSchema).min(1).max(MAX_VALUES) }),
    z.strictObject({ not: ConditionSchema }),
  ]),
);

/** The nesting depth of a condition (validated separately: zod's lazy schemas do not bound it). */
export function conditionDepth(condition: Condition): number {
  if ("all" in condition && Array.isArray(condition.all)) return 1 + Math.max(...condition.all.map(conditionDepth));
  if ("any" in condition && Array.isArray(condition.any)) return 1 + Math.max(...condition.any.map(conditionDepth));
  if ("not" in condition) return 1 + conditionDepth(condition.not as Condition);
  return 1;
}
export { MAX_CONDITION_DEPTH };

/** The schema's field test keys (`FIELD_TEST_KEYS` in `condition-operators.ts` must equal them). */
export const FIELD_TEST_SCHEMA_KEYS: readonly string[] = Object.keys(FieldTestSchema.shape);

function list<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}
