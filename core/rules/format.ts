import { z } from "zod";
import { defaultConfig as defaultConfiguration } from "../config/defaults.js";
import type { RiposteConfig } from "../config/schema.js";
import { detectionPattern } from "../detections/specs.js";
import { REMEDIATION_ACTION_IDS } from "../model/actions.js";
import { ASFF_TYPE_TAXONOMY } from "../model/asff-taxonomy.js";
import { CATEGORIES, SEVERITIES } from "../model/catalog.js";
import { RuleIdSchema } from "../model/rule-id.js";
import { compilePattern } from "../patterns/compile.js";
import { InvalidPattern } from "../patterns/errors.js";
import { ConditionSchema, conditionDepth, FieldPathSchema, MAX_CONDITION_DEPTH } from "./condition-schema.js";
import { isRuleSource, RULE_ACTIONS } from "./rule-terms.js";

export { EVERY_AWS_SOURCE, isRuleSource, RULE_ACTIONS } from "./rule-terms.js";

/**
 * The format of a user's rule (one file per rule in a rules directory, JSON or YAML): a detection
 * as data, run by the same engine as the built-in catalog. See docs in `rules.md`-style comments
 * below; `parseRule` validates a parsed document and names each problem's field.
 *
 * ```yaml
 * id: iam-user-created-by-root            # kebab-case, not a built-in detection id
 * title: IAM user created with the root account
 * category: identity                      # the workflow it takes: identity, logging, network, storage, threat
 * severity: high                          # info, low, medium, high, critical
 * attack: { id: T1136.003, name: "Create Account: Cloud Account" }
 * description: The root user created an IAM user.
 * why: …                                  # optional
 * tuning: …                               # optional
 * response: { mode: notify }              # default; or a mode (auto, approval) and an action id
 * pattern:                                # an EventBridge event pattern; `source` is required
 *   source: [aws.iam]
 *   detail:
 *     eventSource: [iam.amazonaws.com]
 *     eventName: [CreateUser]
 *     userIdentity: { type: [Root] }
 * condition:                              # optional: checked in code after the pattern (condition.ts)
 *   not: { field: userAgent, contains: console.amazonaws.com }
 * correlation:                            # optional: fire on a count of matching events (see CorrelationSchema)
 *   type: event-count                     # or value-count (distinct values of `field`)
 *   groupBy: [userIdentity.arn]           # counted per group (record fields; none: one group)
 *   count: 5                              # at least this many…
 *   windowMinutes: 10                     # …within this window (event time)
 * references: [https://…]                 # optional
 * falsePositives: [A planned migration]   # optional
 * ```
 *
 * Loop prevention is added as for built-in detections (events made by Riposte's own role never
 * fire). Unlike declared detections, a rule also sees failed calls unless its pattern says
 * `errorCode: [{ exists: false }]`: failed calls are what some rules look for.
 */

const ResponseSchema = z
  .strictObject({
    mode: z.enum(["auto", "approval", "notify"]),
    action: z
      .enum(REMEDIATION_ACTION_IDS)
      .refine((action) => (RULE_ACTIONS as readonly string[]).includes(action), {
        message: `a rule's finding carries the actor and source address only: the actions that use them are ${RULE_ACTIONS.join(", ")}`,
      })
      .optional(),
  })
  .refine((response) => response.mode === "notify" || response.action !== undefined, {
    message: "modes auto and approval need an action",
    path: ["action"],
  });

function isAsffType(type: string): boolean {
  const [namespace, category, ...rest] = type.split("/");
  const categories = (ASFF_TYPE_TAXONOMY as Record<string, readonly string[]>)[namespace ?? ""];
  if (!categories) return false;
  if (category === undefined) return true;
  return categories.includes(category) && rest.length <= 1;
}

const text = (max: number) => z.string().trim().min(1).max(max);

/**
 * A correlated rule: the events its pattern and condition select are counted per group (the
 * values of `groupBy` fields of the record; an event missing one counts in the group of the
 * values it has) within a sliding window of event time, by the catalog's generic correlators
 * (`core/detections/correlate.ts`): `event-count` fires at `count` events (declareThreshold),
 * `value-count` at `count` distinct values of `field` (declareDistinctCount). One finding per
 * window and group; the finding lists the events counted.
 */
export const CorrelationSchema = z
  .strictObject({
    type: z.enum(["event-count", "value-count"]),
    groupBy: z.array(FieldPathSchema).max(5).default([]),
    field: FieldPathSchema.optional(),
    count: z.number().int().min(2).max(10_000),
    windowMinutes: z
      .number()
      .positive()
      .max(7 * 24 * 60, "at most a week"),
  })
  .refine((correlation) => (correlation.type === "value-count") === (correlation.field !== undefined), {
    message: "value-count counts the distinct values of a field (and only it takes one)",
    path: ["field"],
  });
export type RuleCorrelation = z.infer<typeof CorrelationSchema>;

export const RuleSchema = z.strictObject({
  id: RuleIdSchema,
  title: text(200),
  category: z.enum(CATEGORIES),
  severity: z.enum(SEVERITIES),
  /** The closest ATT&CK technique; optional (an imported rule may name tactics only). */
  attack: z
    .strictObject({
      id: z.string().regex(/^T\d{4}(\.\d{3})?$/, "expected an ATT&CK technique id such as T1098 or T1098.001"),
      name: text(200),
    })
    .optional(),
  description: text(4000),
  why: text(4000).optional(),
  tuning: text(4000).optional(),
  response: ResponseSchema.default({ mode: "notify" }),
  /** ASFF finding types (`namespace/category/classifier`); default `TTPs`. */
  asff: z
    .array(z.string().refine(isAsffType, "expected an ASFF type such as TTPs/Persistence or Effects/Data Exposure"))
    .min(1)
    .max(10)
    .optional(),
  pattern: z.record(z.string(), z.unknown()),
  condition: ConditionSchema.optional(),
  correlation: CorrelationSchema.optional(),
  references: z.array(text(2000)).max(50).optional(),
  falsePositives: z.array(text(2000)).max(50).optional(),
  /** Where the rule came from, for imported rules (e.g. `{ format: sigma, id: <uuid> }`). */
  origin: z
    .strictObject({
      format: z.literal("sigma"),
      id: z.string().max(200).optional(),
      status: z.string().max(50).optional(),
      author: z.string().max(500).optional(),
      /** What the translation could not carry exactly, in words. */
      caveats: z.array(z.string().max(1000)).max(50).optional(),
    })
    .optional(),
});

export type UserRule = z.infer<typeof RuleSchema>;

/** One problem with a rule file: the file, the field (a path such as `pattern.detail.eventName[1]`) and what is wrong. */
export interface RuleProblem {
  file: string;
  field: string;
  problem: string;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** The default configuration, parsed on first use: a run whose rules all come from the cache never needs it. */
let defaultConfig: RiposteConfig | undefined;
const defaults = (): RiposteConfig => (defaultConfig ??= defaultConfiguration());

/** A rule's pattern as the engine and a deployment use it: with loop prevention (throws when it cannot take it). */
export function withLoopPrevention(pattern: Record<string, unknown>): Record<string, unknown> {
  return detectionPattern({ buildPattern: () => pattern }, defaults());
}

/**
 * Validate a parsed rule document: the rule, or every problem found (each naming its field). The
 * pattern is compiled as EventBridge would accept it, must pin `source` to `aws.` sources
 * (exact strings: the engine indexes patterns by source and event name; or `EVERY_AWS_SOURCE`), must take Riposte's loop
 * prevention, and with it must stay within `maxPatternChars` when given (EventBridge's quota).
 */
export function parseRule(
  document: unknown,
  file: string,
  options: { maxPatternChars?: number } = {},
): { rule: UserRule } | { problems: RuleProblem[] } {
  const parsed = RuleSchema.safeParse(document);
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.map((issue) => ({
        file,
        field: formatPath(issue.path) || "(the document)",
        problem: issue.message,
      })),
    };
  }
  const rule = parsed.data;
  const problems: RuleProblem[] = [];
  const problem = (field: string, text: string) => problems.push({ file, field, problem: text });
  if (rule.condition && conditionDepth(rule.condition) > MAX_CONDITION_DEPTH) {
    problem("condition", `nested more than ${MAX_CONDITION_DEPTH} levels deep`);
  }
  try {
    compilePattern(rule.pattern);
  } catch (error) {
    if (!(error instanceof InvalidPattern)) throw error;
    problem(error.path ? `pattern.${error.path}` : "pattern", error.problem);
    return { problems };
  }
  if (!isRuleSource(rule.pattern.source)) {
    problem(
      "pattern.source",
      'name the event sources as exact strings starting with "aws." (such as ["aws.iam"]), or [{"prefix": "aws."}] for every AWS service',
    );
  }
  try {
    const deployed = JSON.stringify(withLoopPrevention(rule.pattern));
    if (options.maxPatternChars !== undefined && deployed.length > options.maxPatternChars) {
      problem(
        "pattern",
        `with loop prevention the pattern is ${deployed.length} characters, over EventBridge's ${options.maxPatternChars}: move conditions to "condition"`,
      );
    }
  } catch (error) {
    problem("pattern.detail.userIdentity", `cannot add loop prevention: ${(error as Error).message}`);
  }
  return problems.length > 0 ? { problems } : { rule };
}
