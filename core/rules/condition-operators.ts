// A field test's operators (the language: `condition.ts`), known to the schema that checks a test
// has one and to the evaluator; apart from both so neither imports the other.

/** The operators that compare text (one per field test). */
export const STRING_OPERATORS = [
  "equals",
  "contains",
  "startswith",
  "endswith",
  "wildcard",
  "regex",
  "jsonContains",
  "cidr",
] as const;

/** The numeric bounds, which a field test may set together. */
export const BOUNDS = ["gt", "gte", "lt", "lte"] as const;

/** Every key a field test may have: the schema's (`condition-schema.ts`; `cached.test.ts` keeps them equal). */
export const FIELD_TEST_KEYS: ReadonlySet<string> = new Set([
  "field",
  ...STRING_OPERATORS,
  "exists",
  ...BOUNDS,
  "all",
  "cased",
  "regexFlags",
]);

/** How deep `all`/`any`/`not` may nest. */
export const MAX_CONDITION_DEPTH = 12;
