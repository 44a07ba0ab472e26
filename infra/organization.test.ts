import { describe, expect, it } from "vitest";
import { parseConfig } from "../core/config/load.js";
import { compilePattern } from "../core/patterns/compile.js";
import { matches } from "../core/patterns/match.js";
import { policyFor } from "../core/remediation/permissions.js";
import {
  memberForwardingPattern,
  memberForwardingRolePolicy,
  memberForwardingRuleState,
  memberRolePolicy,
  memberRoleTrustPolicy,
  organizationBusPolicy,
} from "./organization.js";
import { deployedRules } from "./rules.js";

describe("org-wide mode", () => {
  it("lets only principals of the organization put events on the central bus", () => {
    const policy = organizationBusPolicy(
      "arn:aws:events:eu-west-1:123456789012:event-bus/prod-riposte",
      "o-a1b2c3d4e5",
    );

    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Action: "events:PutEvents",
        Resource: "arn:aws:events:eu-west-1:123456789012:event-bus/prod-riposte",
        Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } },
      }),
    ]);
  });

  it("forwards every AWS event type a deployed rule matches, and no Riposte log source", () => {
    const pattern = memberForwardingPattern(deployedRules(parseConfig({})));
    const forward = compilePattern(pattern);
    const event = (source: string, detailType: string) => ({ source, "detail-type": detailType, detail: {} });

    expect(pattern["detail-type"]).toEqual(
      expect.arrayContaining(["AWS API Call via CloudTrail", "GuardDuty Finding", "Config Rules Compliance Change"]),
    );
    expect(matches(forward, event("aws.ec2", "AWS API Call via CloudTrail"))).toBe(true);
    expect(matches(forward, event("aws.signin", "AWS Console Sign In via CloudTrail"))).toBe(true);
    expect(matches(forward, event("riposte.waf", "WAF Log Record"))).toBe(false);
    expect(matches(forward, event("aws.ec2", "EC2 Instance State-change Notification"))).toBe(false);
  });

  it("trusts only Riposte's remediation roles, with the external id, and grants the declared permissions", () => {
    const trust = memberRoleTrustPolicy(["arn:aws:iam::123456789012:role/riposte-prod-Remediate"], "ext-42");

    expect(trust.Statement[0]).toEqual({
      Effect: "Allow",
      Principal: { AWS: ["arn:aws:iam::123456789012:role/riposte-prod-Remediate"] },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { "sts:ExternalId": "ext-42" } },
    });
    const policy = memberRolePolicy(undefined, {
      partition: "aws",
      toolRolePrefix: "riposte-",
      protectionTag: { key: "riposte:protect", value: "true" },
    });
    expect(policy.Statement[0]).toEqual({ ...policyFor().Statement[0], Resource: ["*"] });
    expect(policy.Statement.flatMap((s) => s.Action).some((a) => a.includes("*"))).toBe(false);
  });

  it("has members forward read-only calls exactly when a central rule wants them", () => {
    const withReadOnly = deployedRules(parseConfig({}));
    const withoutReadOnly = deployedRules(parseConfig({ aws: { readOnlyManagementEvents: false } }));

    expect(withReadOnly.some((rule) => rule.readOnlyEvents)).toBe(true);
    expect(memberForwardingRuleState(withReadOnly)).toBe("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS");
    expect(memberForwardingRuleState(withoutReadOnly)).toBe("ENABLED");
  });

  it("lets the members' forwarding role put events on the central bus only", () => {
    const bus = "arn:aws:events:eu-west-1:123456789012:event-bus/prod-riposte-organization";

    expect(memberForwardingRolePolicy(bus).Statement).toEqual([
      { Sid: "ForwardToRiposte", Effect: "Allow", Action: "events:PutEvents", Resource: bus },
    ]);
  });
});
