import { describe, expect, it } from "vitest";
import { parseConfig } from "../config/load.js";
import { eventBridgeRules } from "../deployment/rules.js";
import { REMEDIATION_ACTION_IDS } from "../model/actions.js";
import { categoryOf, DETECTION_IDS } from "../model/catalog.js";
import { compilePattern } from "../patterns/compile.js";
import { matches } from "../patterns/match.js";
import { CATALOG, detectionPattern, getDetection } from "./catalog.js";

const CLOUDTRAIL_TYPES = [
  "AWS API Call via CloudTrail",
  "AWS Console Sign In via CloudTrail",
  "AWS Console Action via CloudTrail",
];

describe("CATALOG", () => {
  it("has exactly one definition per public detection id, in the catalog's order", () => {
    expect(CATALOG).toHaveLength(DETECTION_IDS.length);
    expect(CATALOG.map((definition) => definition.id)).toEqual([...DETECTION_IDS]);
  });

  it.each(CATALOG.map((definition) => [definition.id, definition] as const))(
    "%s is complete and consistent",
    (id, definition) => {
      expect(definition.category).toBe(categoryOf(id));
      expect(definition.title.length).toBeGreaterThan(5);
      expect(definition.description.length).toBeGreaterThan(20);
      expect(definition.why.length).toBeGreaterThan(20);
      expect(definition.tuning.length).toBeGreaterThan(20);
      expect(definition.attack.id).toMatch(/^T\d{4}(\.\d{3})?$/);
      expect(["auto", "approval", "notify"]).toContain(definition.response.mode);
      if (definition.response.action) expect(REMEDIATION_ACTION_IDS).toContain(definition.response.action);
      expect(() => compilePattern(definition.pattern)).not.toThrow();
    },
  );

  it("puts loop prevention in every pattern that has a principal", () => {
    for (const definition of CATALOG) {
      const mode = definition.loopPrevention ?? "cloudtrail";
      const text = JSON.stringify(definition.pattern);
      if (mode === "not-applicable") {
        expect(text).not.toContain("CloudTrail");
        continue;
      }
      expect(text, definition.id).toContain('{"anything-but":{"prefix":"riposte-"}}');
      expect(text, definition.id).toContain('{"exists":false}');
    }
  });

  it("excludes Riposte's own role but keeps IAM users (no session issuer) and other roles", () => {
    const pattern = compilePattern(getDetection("cloudtrail-tampering").pattern);
    const event = (userIdentity: unknown) => ({
      source: "aws.cloudtrail",
      "detail-type": "AWS API Call via CloudTrail",
      detail: { eventSource: "cloudtrail.amazonaws.com", eventName: "StopLogging", userIdentity },
    });

    expect(matches(pattern, event({ type: "IAMUser", userName: "alice" }))).toBe(true);
    expect(
      matches(pattern, event({ type: "AssumedRole", sessionContext: { sessionIssuer: { userName: "Admin" } } })),
    ).toBe(true);
    expect(
      matches(
        pattern,
        event({ type: "AssumedRole", sessionContext: { sessionIssuer: { userName: "riposte-remediate" } } }),
      ),
    ).toBe(false);
  });

  it("follows the configured role prefix", () => {
    const config = parseConfig({ protection: { toolRolePrefix: "soar-" } });

    const text = JSON.stringify(detectionPattern(getDetection("sg-ssh-open-world"), config));

    expect(text).toContain('"prefix":"soar-"');
    expect(text).not.toContain("riposte-");
  });

  it("rejects unknown ids naming the valid ones", () => {
    expect(() => getDetection("nope")).toThrow(/unknown detection id "nope"; valid ids: root-account-usage/);
  });

  it("only listens to CloudTrail detail types where it prevents loops on CloudTrail principals", () => {
    for (const definition of CATALOG) {
      if ((definition.loopPrevention ?? "cloudtrail") !== "cloudtrail") continue;
      const types = definition.pattern["detail-type"] as string[];
      for (const type of types) expect(CLOUDTRAIL_TYPES).toContain(type);
    }
  });
});

describe("eventBridgeRules", () => {
  it("gives every enabled detection one valid rule; stateful ones also route the events they learn from", () => {
    const rules = eventBridgeRules(parseConfig({ detections: { "console-login-failure": { enabled: false } } }));

    expect(rules).toHaveLength(DETECTION_IDS.length - 1);
    expect(rules.map((rule) => rule.detection)).not.toContain("console-login-failure");
    for (const rule of rules) expect(() => compilePattern(rule.pattern)).not.toThrow();
    const zombie = rules.find((rule) => rule.detection === "sg-zombie-rule")!;
    expect(zombie.stateful).toBe(true);
    expect(Object.keys(zombie.pattern)).toEqual(["$or"]);
    const ssh = rules.find((rule) => rule.detection === "sg-ssh-open-world")!;
    expect(ssh).toMatchObject({ category: "network", stateful: false });
  });

  it("routes a revoke made by Riposte's own role to the zombie correlator (to cancel its timer) but not to firing", () => {
    const zombie = eventBridgeRules(parseConfig({})).find((rule) => rule.detection === "sg-zombie-rule")!;
    const revoke = {
      source: "aws.ec2",
      "detail-type": "AWS API Call via CloudTrail",
      detail: {
        eventSource: "ec2.amazonaws.com",
        eventName: "RevokeSecurityGroupIngress",
        userIdentity: { type: "AssumedRole", sessionContext: { sessionIssuer: { userName: "riposte-remediation" } } },
      },
    };

    expect(matches(compilePattern(zombie.pattern), revoke)).toBe(true);
    expect(matches(compilePattern(getDetection("sg-zombie-rule").pattern), revoke)).toBe(false);
  });
});
