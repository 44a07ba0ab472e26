import { describe, expect, it } from "vitest";
import { GOOD_YAML } from "../../test/fixtures/rules/own-rules.js";
import { cachedRule } from "./cached.js";
import { FIELD_TEST_KEYS } from "./condition-operators.js";
import { FIELD_TEST_SCHEMA_KEYS } from "./condition-schema.js";
import { RuleSchema } from "./format.js";
import { parseRuleText } from "./parse-text.js";
import { RULE_KEYS } from "./rule-terms.js";

const validated = (text: string, file = "rule.yml") => {
  const result = parseRuleText(text, file);
  if (!("rule" in result)) throw new Error(JSON.stringify(result.problems));
  return JSON.parse(JSON.stringify(result.rule)) as Record<string, unknown>;
};

describe("the check of a cached rule", () => {
  it("knows the keys the schemas know (kept apart from them so that a cached run loads no validator)", () => {
    expect([...RULE_KEYS].sort()).toEqual(Object.keys(RuleSchema.shape).sort());
    expect([...FIELD_TEST_KEYS].sort()).toEqual([...FIELD_TEST_SCHEMA_KEYS].sort());
  });

  it("passes every rule validation accepts, as JSON kept it", () => {
    const rule = validated(GOOD_YAML);
    const correlated = validated(
      `${GOOD_YAML}correlation: { type: value-count, field: sourceIPAddress, groupBy: [userIdentity.arn], count: 3, windowMinutes: 5 }\nresponse: { mode: approval, action: iam-revoke-sessions }\n`,
    );

    expect(cachedRule(rule)).toEqual(rule);
    expect(cachedRule(correlated)).toEqual(correlated);
  });

  it("passes a condition with every operator", () => {
    const condition = `condition:
  any:
    - { field: userAgent, equals: [a, 5, true], cased: true }
    - { field: userAgent, contains: x, all: true }
    - { field: userAgent, startswith: x }
    - { field: userAgent, endswith: [x, y] }
    - { field: userAgent, wildcard: "a*b?" }
    - { field: userAgent, regex: "^aws-cli/[0-9]+", regexFlags: i }
    - { field: requestParameters, jsonContains: policy }
    - { field: sourceIPAddress, cidr: [10.0.0.0/8, "2001:db8::/32"] }
    - { field: errorCode, exists: false }
    - { field: requestParameters.size, gt: 3, lte: 9 }
    - not: { all: [{ field: a, contains: b }] }
`;
    const rule = validated(GOOD_YAML.replace(/condition:\n.*\n/, condition));

    expect(rule.condition).toHaveProperty("any");
    expect(cachedRule(rule)).toEqual(rule);
  });

  it("refuses what a rule file could not say", () => {
    const rule = validated(GOOD_YAML);
    const refused = [
      null,
      [],
      "rule",
      { ...rule, unknown: 1 },
      { ...rule, id: "Root_Created" },
      { ...rule, id: "root-account-usage" },
      { ...rule, id: "a".repeat(65) },
      { ...rule, title: 5 },
      { ...rule, category: "finance" },
      { ...rule, severity: "apocalyptic" },
      { ...rule, response: { mode: "auto" } },
      { ...rule, response: { mode: "auto", action: "s3-block-public-access" } },
      { ...rule, response: { mode: "notify", extra: true } },
      { ...rule, pattern: "source" },
      { ...rule, pattern: { source: ["aws.iam"], detail: { n: [Number.POSITIVE_INFINITY] } } },
      { ...rule, pattern: { source: ["custom.app"] } },
      { ...rule, condition: { field: "userAgent", regex: "(a+)+$" } },
      { ...rule, condition: { field: "userAgent", regex: "a", regexFlags: "g" } },
      { ...rule, condition: { field: "sourceIPAddress", cidr: "not-a-range" } },
      { ...rule, condition: { field: "userAgent", run: "code" } },
      { ...rule, condition: { all: [] } },
      { ...rule, condition: nested(13) },
      { ...rule, correlation: { type: "event-count", groupBy: [], count: 1, windowMinutes: 5 } },
      { ...rule, asff: [3] },
      { ...rule, origin: { format: "other" } },
    ];

    for (const value of refused) expect(cachedRule(value), JSON.stringify(value)).toBeUndefined();
    expect(cachedRule({ ...rule, condition: nested(12) })).toBeDefined();
  });
});

/** A condition `depth` levels deep. */
function nested(depth: number): unknown {
  let condition: unknown = { field: "userAgent", contains: "x" };
  for (let level = 1; level < depth; level++) condition = { not: condition };
  return condition;
}
