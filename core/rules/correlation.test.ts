import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { identity, record } from "../../test/fixtures/events/cloudtrail.js";
import { parseConfig } from "../config/load.js";
import { createDetectionEngine } from "../engine/engine.js";
import { normalizeRecords } from "../events/index.js";
import type { Finding } from "../model/incident.js";
import { MemoryCorrelationStore } from "../store/memory-correlation.js";
import { parseRule, type UserRule } from "./format.js";
import { translateSigma } from "./sigma.js";

/**
 * Sigma correlation rules (written for these tests, in the Sigma correlation format) translated
 * onto the generic correlators, then run by the engine on sequences of CloudTrail records.
 */

const config = parseConfig({});

/** A base rule: a secret's value was read. */
const SECRET_READ = `title: Test secret value read
name: test_secret_read
id: 5e000000-0000-4000-8000-000000000001
status: test
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventSource: secretsmanager.amazonaws.com
        eventName: GetSecretValue
    condition: selection
level: low
`;

const manyReads = (condition: string, type = "event_count", extra = "") => `title: Test many secret reads
id: 5e000000-0000-4000-8000-0000000000c1
status: test
correlation:
    type: ${type}
    rules:
        - test_secret_read
    group-by:
        - userIdentity.arn
    timespan: 10m
    condition:
${condition}${extra}
tags:
    - attack.credential_access
    - attack.t1555.006
level: high
`;

function translate(yaml: string, bases: string[] = [SECRET_READ]) {
  const rules = new Map<string, unknown>();
  for (const text of bases) {
    const doc = parse(text) as Record<string, unknown>;
    rules.set(String(doc.name), doc);
    rules.set(String(doc.id), doc);
  }
  return translateSigma(parse(yaml), { rules });
}

function ruleOf(yaml: string): UserRule {
  const translation = translate(yaml);
  if (!translation.rule) throw new Error(translation.refused);
  const checked = parseRule(translation.rule, "correlation.yml", { maxPatternChars: 2048 });
  if ("problems" in checked) throw new Error(JSON.stringify(checked.problems));
  return checked.rule;
}

const read = (minute: number, user = "alice", secretId = "prod/db") =>
  record("secretsmanager.amazonaws.com", "GetSecretValue", { secretId }, null, {
    user: identity.user(user),
    time: `2026-03-01T10:${String(minute).padStart(2, "0")}:00Z`,
  });

async function run(rule: UserRule, records: unknown[]): Promise<Finding[]> {
  const engine = createDetectionEngine({ config, state: new MemoryCorrelationStore(), rules: [rule] });
  const { events, errors } = normalizeRecords(records);
  expect(errors).toEqual([]);
  const findings: Finding[] = [];
  for (const event of events) findings.push(...(await engine.process(event)));
  findings.push(...(await engine.finish()));
  return findings;
}

describe("Sigma correlation rules on the generic correlators", () => {
  it("event_count with gte: the correlation's metadata, the base rule's selection, a count per group in a window", () => {
    const rule = ruleOf(manyReads("        gte: 3"));

    expect(rule).toMatchObject({
      id: "sigma-test-many-secret-reads",
      severity: "high",
      attack: { id: "T1555.006" },
      pattern: { source: ["aws.secretsmanager"], detail: { eventName: ["GetSecretValue"] } },
      correlation: { type: "event-count", groupBy: ["userIdentity.arn"], count: 3, windowMinutes: 10 },
      origin: { format: "sigma", id: "5e000000-0000-4000-8000-0000000000c1" },
    });
  });

  it("event_count fires on the third read by one principal within the window, once, and not below the threshold", async () => {
    const rule = ruleOf(manyReads("        gte: 3"));

    const fired = await run(rule, [read(0), read(2), read(4), read(5)]);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({
      detection: "sigma-test-many-secret-reads",
      severity: "high",
      rule: { response: { mode: "notify" } },
      facts: { counted: 3, group: { "userIdentity.arn": "arn:aws:iam::123456789012:user/alice" } },
    });
    expect(fired[0]!.eventIds).toHaveLength(3);

    // Two reads only; three spread over more than the window; three by three principals.
    expect(await run(rule, [read(0), read(2)])).toEqual([]);
    expect(await run(rule, [read(0), read(8), read(19)])).toEqual([]);
    expect(await run(rule, [read(0, "alice"), read(1, "bob"), read(2, "carol")])).toEqual([]);
  });

  it("gt N needs N+1 events", async () => {
    const rule = ruleOf(manyReads("        gt: 2"));

    expect(rule.correlation?.count).toBe(3);
    expect(await run(rule, [read(0), read(1)])).toEqual([]);
    expect(await run(rule, [read(0), read(1), read(2)])).toHaveLength(1);
  });

  it("value_count counts distinct values of condition.field per group", async () => {
    const rule = ruleOf(manyReads("        gte: 3\n        field: requestParameters.secretId", "value_count"));

    expect(rule.correlation).toMatchObject({ type: "value-count", field: "requestParameters.secretId", count: 3 });
    // The same secret read five times: one value.
    expect(
      await run(
        rule,
        [0, 1, 2, 3, 4].map((minute) => read(minute)),
      ),
    ).toEqual([]);
    const fired = await run(rule, [
      read(0, "alice", "a"),
      read(1, "alice", "b"),
      read(2, "alice", "a"),
      read(3, "alice", "c"),
    ]);
    expect(fired).toHaveLength(1);
    expect(fired[0]!.facts).toMatchObject({ counted: 3 });
    expect([...(fired[0]!.facts.values as string[])].sort()).toEqual(["a", "b", "c"]);
  });

  it("keeps the base rule's condition in code for each counted event", async () => {
    const base = SECRET_READ.replace(
      "    condition: selection",
      "    filter:\n        requestParameters.secretId|startswith: 'test/'\n    condition: selection and not filter",
    );
    const translation = translate(manyReads("        gte: 2"), [base]);
    const checked = parseRule(translation.rule, "c.yml");
    if (!("rule" in checked)) throw new Error(JSON.stringify(checked.problems));

    expect(await run(checked.rule, [read(0, "alice", "test/a"), read(1, "alice", "test/b")])).toEqual([]);
    expect(
      await run(checked.rule, [read(0, "alice", "test/a"), read(1, "alice", "prod/b"), read(2, "alice", "prod/c")]),
    ).toHaveLength(1);
  });

  it("refuses, with the reason, what the correlators cannot hold", () => {
    const refused = (yaml: string, bases?: string[]) => translate(yaml, bases).refused;

    expect(refused(manyReads("        gte: 3", "temporal"))).toMatch(
      /temporal correlation .* has no generic correlator/,
    );
    expect(refused(manyReads("        gte: 3", "temporal_ordered"))).toMatch(/temporal_ordered correlation .*in order/);
    expect(refused(manyReads("        lt: 3"))).toMatch(/only gte or gt alone translate/);
    expect(refused(manyReads("        gte: 3\n        lte: 9"))).toMatch(/only gte or gt alone/);
    expect(refused(manyReads("        gte: 1"))).toMatch(/the base rule alone/);
    expect(refused(manyReads("        gte: 3", "value_count"))).toMatch(/value_count needs condition.field/);
    expect(refused(manyReads("        gte: 3").replace("timespan: 10m", "timespan: soon"))).toMatch(/timespan "soon"/);
    expect(
      refused(
        manyReads("        gte: 3").replace(
          "        - test_secret_read",
          "        - test_secret_read\n        - other",
        ),
      ),
    ).toMatch(/a correlation over 2 rules is not supported/);
    expect(refused(manyReads("        gte: 3"), [])).toMatch(/base rule "test_secret_read" is not among/);
    const otherSource = SECRET_READ.replace("service: cloudtrail", "service: s3");
    expect(refused(manyReads("        gte: 3"), [otherSource])).toMatch(/^base rule "test_secret_read": logsource/);
  });
});
