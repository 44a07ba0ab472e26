import { describe, expect, it } from "vitest";
import { declaredRuleState } from "../core/deployment/rules.js";
import { config } from "../test/remediation/fixtures.js";
import { forwardingRule } from "./regions.js";
import { deployedRules, ruleName } from "./rules.js";

/**
 * Remediation restores a disabled rule of Riposte's to the state the deployment declares it with
 * (core's declaredRuleState, from the rule's name alone): it must agree with what the stacks
 * deploy, for every rule and the forwarding rule, with read-only events on and off.
 */

describe("declaredRuleState agrees with the deployed rules", () => {
  it.each([true, false])("readOnlyManagementEvents %s", (readOnlyManagementEvents) => {
    const cfg = config({ aws: { readOnlyManagementEvents } });
    const rules = deployedRules(cfg);
    const deployed = Object.fromEntries(
      rules.map((rule) => [
        ruleName("prod", rule.detection),
        rule.readOnlyEvents ? "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" : "ENABLED",
      ]),
    );
    deployed[ruleName("prod", "forward")] = forwardingRule(rules).state;

    const declared = Object.fromEntries(Object.keys(deployed).map((name) => [name, declaredRuleState(cfg, name)]));

    expect(declared).toEqual(deployed);
    expect(Object.values(deployed)).toContain(
      readOnlyManagementEvents ? "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" : "ENABLED",
    );
  });

  it("knows no state for names the configuration deploys no rule under", () => {
    expect(declaredRuleState(config(), "prod-riposte-no-such-detection")).toBeUndefined();
    expect(declaredRuleState(config(), "riposte-sg-ssh-open-world")).toBeUndefined();
    expect(declaredRuleState(config(), "orders-sync")).toBeUndefined();
  });
});
