import { createHash } from "node:crypto";
import { declareDistinctCount, declareThreshold } from "../detections/correlate.js";
import type { Found } from "../detections/declare.js";
import { identityFacts, isObject, type Json, principalOf, quote } from "../detections/record.js";
import type { DetectionText, StatefulDetection } from "../detections/types.js";
import type { DetectionId } from "../model/catalog.js";
import type { RuleFinding } from "../model/incident.js";
import type { RuleId } from "../model/rule-id.js";
import { copyJson } from "../patterns/copy-json.js";
import { ruleCondition, valuesAt } from "./condition.js";
import type { RuleCorrelation, UserRule } from "./format.js";

/**
 * A user's correlated rule (`correlation` in its file) on the catalog's generic correlators: the
 * events its pattern and condition select count per group within the window, as for the built-in
 * correlations (`declareThreshold`, `declareDistinctCount`): same window semantics, same stores,
 * so `scan`, `serve` and the correlate function on AWS find the same thing.
 */

/** A group key or a counted value longer than this is kept as its hash (every field is attacker-controlled). */
const MAX_KEY_TEXT = 200;

function bounded(text: string): string {
  return text.length <= MAX_KEY_TEXT ? text : `sha256:${createHash("sha256").update(text).digest("hex")}`;
}

/** The text of the first scalar at a field path (`""` when there is none). */
function fieldText(record: Json, path: string): string {
  for (const value of valuesAt(record, path.split("."))) {
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
  }
  return "";
}

/** The values of the group-by fields, as data: `{"userIdentity.arn":"…"}`. */
function groupOf(record: Json, groupBy: readonly string[]): { key: string; values: Record<string, string> } {
  const values = Object.fromEntries(groupBy.map((path) => [path, fieldText(record, path)]));
  // Never empty: an event whose group fields are all missing counts in the group of missing values.
  return { key: bounded(JSON.stringify(values)), values };
}

function foundOf(correlation: RuleCorrelation, record: Json, counted: number, extra: Record<string, unknown>): Found {
  const group = groupOf(record, correlation.groupBy).values;
  const what = correlation.type === "value-count" ? `distinct ${correlation.field} values` : "matching events";
  return {
    resource: "",
    summary: `${counted} ${what} within ${correlation.windowMinutes} min${correlation.groupBy.length > 0 ? ` for ${quote(JSON.stringify(group), 200)}` : ""} (last by ${quote(principalOf(record) || "unknown principal")})`,
    facts: { ...identityFacts(record), group, counted, windowMinutes: correlation.windowMinutes, ...extra },
  };
}

export function correlatedRule(
  rule: UserRule,
  correlation: RuleCorrelation,
  declared: RuleFinding,
  text: DetectionText<RuleId>,
): StatefulDetection<RuleId> {
  const condition = ruleCondition(rule.condition, rule.pattern);
  const common = {
    ...text,
    // The correlators are typed on the catalog's ids; the id is only carried through.
    id: text.id as string as DetectionId,
    asff: declared.asff,
    pattern: () => copyJson(rule.pattern),
    threshold: () => ({ count: correlation.count, windowMinutes: correlation.windowMinutes }),
    group: (record: Json) => {
      if (!isObject(record) || (condition && !condition(record))) return undefined;
      return groupOf(record, correlation.groupBy).key;
    },
  };
  const inner =
    correlation.type === "event-count"
      ? declareThreshold({
          ...common,
          found: (record, counted) => foundOf(correlation, record, counted.length, {}),
        })
      : declareDistinctCount({
          ...common,
          values: (record) => {
            const value = fieldText(record, correlation.field!);
            return value === "" ? [] : [bounded(value)];
          },
          found: (record, counted) =>
            foundOf(correlation, record, counted.length, {
              values: counted.map((item) => item.value).slice(0, 50),
            }),
        });
  const { asff: _asff, ...detection } = inner;
  return {
    ...(detection as unknown as StatefulDetection<RuleId>),
    id: text.id,
    async correlate(event, context, trigger) {
      const drafts = await inner.correlate(event, context, trigger);
      return drafts.map((draft) => ({ ...draft, rule: declared }));
    },
  };
}
