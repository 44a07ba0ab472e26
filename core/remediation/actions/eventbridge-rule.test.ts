import {
  DescribeRuleCommand,
  type DescribeRuleCommandOutput,
  ListTagsForResourceCommand,
} from "@aws-sdk/client-eventbridge";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { config, incident } from "../../../test/remediation/fixtures.js";
import { mockAws } from "../../../test/remediation/mock-aws.js";
import { awsError, remediateAndVerify, staticPlan } from "../../../test/remediation/run-action.js";

const aws = mockAws();
afterAll(() => aws.restore());
beforeEach(() => aws.reset());

/** A rule the default configuration deploys ENABLED, and one it deploys with read-only events. */
const PLAIN = "prod-riposte-sg-ssh-open-world";
const READ_ONLY = "prod-riposte-access-key-anomalous-use";
const PATTERN = '{"source":["aws.ec2"]}';

const disabled = (facts: Record<string, unknown> = {}) =>
  incident(
    "eventbridge-rule-disabled",
    { eventName: "DisableRule", ruleName: PLAIN, eventBusName: "default", toolRule: true, ...facts },
    { region: "eu-west-1" },
  );

/** The rule, its state read after read (the last one from then on). */
function rule(name: string, states: [...string[], string], tags: { Key: string; Value: string }[] = []) {
  const answer = (State: string): Partial<DescribeRuleCommandOutput> => ({
    Name: name,
    Arn: `arn:aws:events:eu-west-1:123456789012:rule/${name}`,
    EventPattern: PATTERN,
    Description: "Riposte detection rule",
    RoleArn: "arn:aws:iam::123456789012:role/riposte-prod-rules",
    State: State as "DISABLED",
    EventBusName: "default",
  });
  const describe = aws.events.on(DescribeRuleCommand);
  for (const state of states.slice(0, -1)) describe.resolvesOnce(answer(state));
  describe.resolves(answer(states.at(-1) as string));
  aws.events.on(ListTagsForResourceCommand).resolves({ Tags: tags });
}

describe("eventbridge-enable-rule: plan", () => {
  it("enables Riposte's rule on its bus, in the incident's region", () => {
    expect(staticPlan("eventbridge-enable-rule", disabled({ eventBusName: "riposte-org" }))).toMatchObject({
      ok: true,
      planned: {
        target: `EventBridge rule ${PLAIN} on bus riposte-org (eu-west-1)`,
        destructive: false,
        calls: [
          {
            service: "events",
            operation: "EnableRule",
            params: { Name: PLAIN, EventBusName: "riposte-org" },
            region: "eu-west-1",
          },
        ],
      },
    });
  });

  it("puts a rule declared with read-only events back in that state, its pattern read live", () => {
    expect(staticPlan("eventbridge-enable-rule", disabled({ ruleName: READ_ONLY }))).toMatchObject({
      ok: true,
      planned: {
        calls: [
          {
            operation: "PutRule",
            params: {
              Name: READ_ONLY,
              EventBusName: "default",
              EventPattern: { $live: "DescribeRule.EventPattern" },
              State: "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
            },
          },
        ],
      },
    });
  });

  it("enables the read-only rule plainly when the configuration wants no read-only events", () => {
    const plan = staticPlan(
      "eventbridge-enable-rule",
      disabled({ ruleName: READ_ONLY }),
      config({ aws: { readOnlyManagementEvents: false } }),
    );

    expect(plan).toMatchObject({ ok: true, planned: { calls: [{ operation: "EnableRule" }] } });
  });

  it.each([
    [
      "another tool's rule",
      { ruleName: "orders-nightly-sync", toolRule: false },
      /not one of Riposte's rules.*notify only/,
    ],
    ["a deleted rule", { eventName: "DeleteRule" }, /was deleted.*deploy Riposte's stacks again/],
    ["removed targets", { eventName: "RemoveTargets", targetIds: ["t"] }, /targets were removed/],
    ["a rule this configuration does not deploy", { ruleName: "prod-riposte-no-such-detection" }, /declares no rule/],
    ["no rule name", { ruleName: undefined }, /no valid EventBridge rule/],
    ["an odd rule name", { ruleName: "prod-riposte-x y" }, /no valid EventBridge rule/],
    ["an odd bus", { eventBusName: "bus name" }, /no valid event bus/],
  ])("does not apply to %s", (_, facts, reason) => {
    expect(staticPlan("eventbridge-enable-rule", disabled(facts))).toEqual({
      ok: false,
      note: expect.stringMatching(reason),
    });
  });
});

describe("eventbridge-enable-rule: live", () => {
  it("enables the disabled rule and verifies it", async () => {
    rule(PLAIN, ["DISABLED", "ENABLED"]);

    const { applied, verification } = await remediateAndVerify("eventbridge-enable-rule", disabled());

    expect(aws.inputs("DescribeRuleCommand")[0]).toEqual({ Name: PLAIN, EventBusName: "default" });
    expect(aws.inputs("ListTagsForResourceCommand")[0]).toEqual({
      ResourceARN: `arn:aws:events:eu-west-1:123456789012:rule/${PLAIN}`,
    });
    expect(aws.inputs("EnableRuleCommand")).toEqual([{ Name: PLAIN, EventBusName: "default" }]);
    expect(applied.outcome).toBe("applied");
    expect(verification.verified).toBe(true);
  });

  it("sends the read-only rule back whole with PutRule", async () => {
    rule(READ_ONLY, ["DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"]);

    const { applied, verification } = await remediateAndVerify(
      "eventbridge-enable-rule",
      disabled({ ruleName: READ_ONLY }),
    );

    expect(aws.inputs("PutRuleCommand")).toEqual([
      {
        Name: READ_ONLY,
        EventBusName: "default",
        EventPattern: PATTERN,
        Description: "Riposte detection rule",
        RoleArn: "arn:aws:iam::123456789012:role/riposte-prod-rules",
        State: "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
      },
    ]);
    expect(aws.inputs("EnableRuleCommand")).toEqual([]);
    expect(applied.outcome).toBe("applied");
    expect(verification.verified).toBe(true);
  });

  it("fails verification when the read-only rule came back only ENABLED", async () => {
    rule(READ_ONLY, ["ENABLED"]);

    const { applied, verification } = await remediateAndVerify(
      "eventbridge-enable-rule",
      disabled({ ruleName: READ_ONLY }),
    );

    expect(applied.outcome).toBe("applied");
    expect(verification).toMatchObject({
      verified: false,
      checks: [expect.objectContaining({ ok: false, detail: "State: ENABLED" })],
    });
  });

  it("is already done when the rule is enabled", async () => {
    rule(PLAIN, ["ENABLED"]);

    const { applied } = await remediateAndVerify("eventbridge-enable-rule", disabled());

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("EnableRuleCommand")).toEqual([]);
  });

  it("fails verification when the rule stays disabled", async () => {
    rule(PLAIN, ["DISABLED"]);

    const { verification } = await remediateAndVerify("eventbridge-enable-rule", disabled());

    expect(verification).toMatchObject({
      verified: false,
      checks: [expect.objectContaining({ ok: false, detail: "State: DISABLED" })],
    });
  });

  it("counts a deleted rule as gone, and verification fails it", async () => {
    aws.events.on(DescribeRuleCommand).rejects(awsError("ResourceNotFoundException"));

    const { applied, verification } = await remediateAndVerify("eventbridge-enable-rule", disabled());

    expect(applied.outcome).toBe("gone");
    expect(verification.verified).toBe(false);
  });

  it("leaves a protected rule alone", async () => {
    rule(PLAIN, ["DISABLED"], [{ Key: "riposte:protect", Value: "true" }]);

    const { applied } = await remediateAndVerify("eventbridge-enable-rule", disabled());

    expect(applied.outcome).toBe("skipped");
    expect(aws.inputs("EnableRuleCommand")).toEqual([]);
  });
});
