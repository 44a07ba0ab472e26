import { describe, expect, it } from "vitest";
import { detect, of } from "../../../test/detections/harness.js";
import { identity, record } from "../../../test/fixtures/events/cloudtrail.js";
import { isToolRuleName } from "../../model/rule-names.js";

const events = (eventName: string, request: unknown, response: unknown = null) =>
  record("events.amazonaws.com", eventName, request, response, { user: identity.user("mallory") });

async function finding(rec: unknown) {
  const found = of(await detect([rec]), "eventbridge-rule-disabled");
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe("eventbridge-rule-disabled", () => {
  it("is critical for Riposte's rules, of any stage, and medium for the others", async () => {
    for (const name of [
      "prod-riposte-cloudtrail-tampering",
      "dev-alice-riposte-forward",
      "prod-riposte-read-only-activity",
    ]) {
      expect((await finding(events("DisableRule", { name }))).severity, name).toBe("critical");
    }
    for (const name of ["siem-forwarding", "riposte-lookalike", "AutoScalingManagedRule"]) {
      expect((await finding(events("DisableRule", { name }))).severity, name).toBe("medium");
    }
  });

  it("names the rule, its bus (default when the call names none) and, for RemoveTargets, the target ids", async () => {
    const disabled = await finding(events("DisableRule", { name: "prod-riposte-cloudtrail-tampering" }));
    expect(disabled.facts).toMatchObject({
      eventName: "DisableRule",
      ruleName: "prod-riposte-cloudtrail-tampering",
      eventBusName: "default",
      toolRule: true,
      principalArn: "arn:aws:iam::123456789012:user/mallory",
    });
    expect(disabled.resource).toBe("arn:aws:events:us-east-1:123456789012:rule/prod-riposte-cloudtrail-tampering");
    expect(disabled.summary).toContain("disabled Riposte's EventBridge rule prod-riposte-cloudtrail-tampering");

    const removed = await finding(
      events(
        "RemoveTargets",
        {
          rule: "siem-forwarding",
          eventBusName: "arn:aws:events:us-east-1:123456789012:event-bus/security",
          ids: ["Splunk", "Archive"],
          force: false,
        },
        { failedEntryCount: 1, failedEntries: [{ targetId: "Archive", errorCode: "InternalException" }] },
      ),
    );
    expect(removed.facts).toMatchObject({
      eventName: "RemoveTargets",
      ruleName: "siem-forwarding",
      eventBusName: "security",
      toolRule: false,
      targetIds: ["Splunk", "Archive"],
    });
    expect(removed.resource).toBe("arn:aws:events:us-east-1:123456789012:rule/security/siem-forwarding");
    expect(removed.severity).toBe("medium");
  });

  it("reads odd request shapes without throwing", async () => {
    for (const request of [
      null,
      "name",
      ["x"],
      { name: 42 },
      { rule: { nested: true }, ids: "one" },
      { name: "a\u202eb" },
    ]) {
      for (const eventName of ["DisableRule", "DeleteRule", "RemoveTargets"]) {
        const found = of(await detect([events(eventName, request, "odd")]), "eventbridge-rule-disabled");
        expect(found).toHaveLength(1);
        expect(found[0]!.summary).not.toContain("\u202e");
      }
    }
  });
});

describe("isToolRuleName", () => {
  it("recognises `<stage>-riposte-…` and nothing without a stage", () => {
    expect(isToolRuleName("prod-riposte-x")).toBe(true);
    expect(isToolRuleName("a.b_c-riposte-x")).toBe(true);
    expect(isToolRuleName("riposte-x")).toBe(false);
    expect(isToolRuleName("-riposte-x")).toBe(false);
    expect(isToolRuleName("prod-riposteX")).toBe(false);
    expect(isToolRuleName("")).toBe(false);
  });
});
