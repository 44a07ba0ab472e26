import { describe, expect, it } from "vitest";
import { ACCOUNT, config, enrichment, incident, score, sshOpenFacts } from "../../test/remediation/fixtures.js";
import type { Decision } from "../model/incident.js";
import { decide, explainPlan, planRemediation } from "./policy.js";

const NOW = new Date("2026-03-02T10:05:00Z");
const sgIncident = incident("sg-ssh-open-world", sshOpenFacts("sgr-0123456789abcdef0"));

type Case = [name: string, route: Decision["route"], reason: RegExp, args: Partial<Parameters<typeof decide>[0]>];

describe("decide", () => {
  const base = {
    incident: sgIncident,
    enrichment: enrichment(),
    score: score(70),
    config: config(),
    mode: "live" as const,
    now: NOW,
  };

  it.each<Case>([
    ["remediation off", "notify", /remediation is off/, { mode: "off" }],
    [
      "detection switched off",
      "dismiss",
      /switched off/,
      { config: config({ detections: { "sg-ssh-open-world": { enabled: false } } }) },
    ],
    [
      "detection set to notify",
      "notify",
      /notify only/,
      { config: config({ detections: { "sg-ssh-open-world": { mode: "notify" } } }) },
    ],
    ["score below the dismissal threshold", "dismiss", /below the dismissal threshold 10/, { score: score(5) }],
    ["score below the remediation threshold", "notify", /below the remediation threshold 40/, { score: score(30) }],
    [
      "detection without remediation",
      "notify",
      /has no remediation: notify only/,
      { incident: incident("root-account-usage", {}) },
    ],
    [
      "root cannot carry a deny policy",
      "notify",
      /root user cannot carry IAM policies/,
      { incident: incident("console-login-brute-force", { principalType: "Root" }) },
    ],
    [
      "event caused by Riposte's own role",
      "dismiss",
      /loop prevention/,
      {
        incident: incident("sg-ssh-open-world", sshOpenFacts(), {
          principal: `arn:aws:sts::${ACCOUNT}:assumed-role/riposte-remediate-prod/session`,
        }),
      },
    ],
    [
      "event caused by an identity Riposte remediates as (local live credentials)",
      "dismiss",
      /caused by Riposte: "arn:aws:iam::123456789012:user\/ops-laptop" is an identity Riposte remediates as/,
      {
        incident: incident("sg-ssh-open-world", sshOpenFacts(), {
          principal: `arn:aws:iam::${ACCOUNT}:user/ops-laptop`,
        }),
        config: config({ protection: { toolPrincipals: [`arn:aws:iam::${ACCOUNT}:user/ops-laptop`] } }),
      },
    ],
    [
      "protected resource by enrichment tag",
      "notify",
      /protected \(tag riposte:protect=true\): notify instead of revoke-sg-rules/,
      { enrichment: enrichment({ id: "sg-0123456789abcdef0", tags: { "riposte:protect": "true" } }) },
    ],
    [
      "protected resource by fact tags",
      "notify",
      /protected/,
      { incident: incident("sg-ssh-open-world", { ...sshOpenFacts(), tags: { "riposte:protect": "TRUE" } }) },
    ],
    [
      "protected acting principal",
      "notify",
      /protected principal/,
      {
        incident: incident("sg-ssh-open-world", sshOpenFacts(), {
          principal: `arn:aws:sts::${ACCOUNT}:assumed-role/BreakGlass/alice`,
        }),
        config: config({ protection: { principals: ["arn:aws:iam::*:role/BreakGlass*"] } }),
      },
    ],
    [
      "protected target principal",
      "notify",
      /BreakGlassAdmin.*protected principal/,
      {
        incident: incident(
          "impossible-travel",
          { principalType: "AssumedRole", roleName: "BreakGlassAdmin" },
          {
            principal: "",
          },
        ),
        config: config({ protection: { principals: ["arn:aws:iam::*:role/BreakGlass*"] } }),
      },
    ],
    ["production target", "approval", /production-tagged/, { enrichment: enrichment({ production: true }) }],
    [
      "production by fact tags",
      "approval",
      /production-tagged/,
      { incident: incident("sg-ssh-open-world", { ...sshOpenFacts(), tags: { Environment: "Prod" } }) },
    ],
    [
      "detection in approval mode",
      "approval",
      /requires approval/,
      { config: config({ detections: { "sg-ssh-open-world": { mode: "approval" } } }) },
    ],
    [
      "destructive action",
      "approval",
      /iam-deactivate-access-key is destructive/,
      {
        incident: incident("access-key-anomalous-use", {
          principalType: "IAMUser",
          accessKeyId: "AKIAABCDEFGHIJKLMNOP",
          userName: "bob",
        }),
      },
    ],
    ["everything allows it", "auto", /may run automatically/, {}],
  ])("%s → %s", (_name, expected, reason, overrides) => {
    // Arrange
    const args = { ...base, ...overrides };

    // Act
    const decision = decide(args);

    // Assert
    expect(decision.route).toBe(expected);
    expect(decision.reason).toMatch(reason);
    if (expected === "auto" || expected === "approval") expect(decision.plan.length).toBeGreaterThan(0);
    else expect(decision.plan).toEqual([]);
  });

  it("checks thresholds before loop prevention, and protection before approval", () => {
    const own = { principal: `arn:aws:sts::${ACCOUNT}:assumed-role/riposte-x/s` };
    const lowScoreLoop = decide({
      ...base,
      incident: incident("sg-ssh-open-world", sshOpenFacts(), own),
      score: score(20),
    });
    const protectedProd = decide({
      ...base,
      enrichment: enrichment({ production: true, tags: { "riposte:protect": "true" } }),
    });

    expect(lowScoreLoop.route).toBe("notify");
    expect(protectedProd.route).toBe("notify");
  });

  it("rejects on timeout for destructive or production plans, else follows the setting", () => {
    const approveOnTimeout = config({
      remediation: { onApprovalTimeout: "approve" },
      detections: { "sg-ssh-open-world": { mode: "approval" } },
    });

    const plain = decide({ ...base, config: approveOnTimeout });
    const production = decide({ ...base, config: approveOnTimeout, enrichment: enrichment({ production: true }) });

    expect(plain.approval).toEqual({ timeoutSeconds: 3600, onTimeout: "approve" });
    expect(production.approval).toEqual({ timeoutSeconds: 3600, onTimeout: "reject" });
  });

  it("asks for approval when posted events found the incident, rejecting on timeout, unless configured", () => {
    const posted = { ...sgIncident, fromIntake: true };
    const approveOnTimeout = config({ remediation: { onApprovalTimeout: "approve" } });
    const allowed = config({ remediation: { autoRemediateIntake: true } });

    const held = decide({ ...base, incident: posted, config: approveOnTimeout });
    const trusted = decide({ ...base, incident: posted, config: allowed });
    const other = decide(base);

    expect(held).toMatchObject({
      route: "approval",
      reason: expect.stringContaining("the events were posted to POST /api/events"),
      approval: { onTimeout: "reject" },
    });
    expect(held.plan.length).toBeGreaterThan(0);
    expect(trusted.route).toBe("auto");
    expect(other.route).toBe("auto");
  });

  it("gives GuardDuty findings the mode of the action their type maps to", () => {
    const trailStopped = incident("guardduty-finding", {
      findingId: "f-1",
      findingType: "Stealth:IAMUser/CloudTrailLoggingDisabled",
      trailName: "org-trail",
    });
    const keyMisused = incident("guardduty-finding", {
      findingId: "f-2",
      findingType: "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom",
      accessKeyId: "AKIAABCDEFGHIJKLMNOP",
      userName: "bob",
    });
    const unknown = incident("guardduty-finding", { findingId: "f-3", findingType: "Trojan:EC2/DNSDataExfiltration" });

    expect(decide({ ...base, incident: trailStopped }).route).toBe("auto");
    expect(decide({ ...base, incident: keyMisused }).route).toBe("approval");
    expect(decide({ ...base, incident: unknown })).toMatchObject({
      route: "notify",
      reason: /no matching remediation/,
    });
  });
});

describe("planRemediation", () => {
  it("plans the exact revocation by rule id from the facts", () => {
    const plan = planRemediation(sgIncident, config(), NOW);

    expect(plan).toEqual([
      {
        action: "revoke-sg-rules",
        target: "sg-0123456789abcdef0 (tcp 22 from 0.0.0.0/0)",
        description: expect.stringContaining("leaving its other rules untouched"),
        destructive: false,
        calls: [
          {
            service: "ec2",
            operation: "RevokeSecurityGroupIngress",
            params: { GroupId: "sg-0123456789abcdef0", SecurityGroupRuleIds: ["sgr-0123456789abcdef0"] },
            region: "us-east-1",
          },
        ],
        permissions: expect.arrayContaining(["ec2:RevokeSecurityGroupIngress"]),
      },
    ]);
  });

  it("uses the account-level block when the account's block was lifted", () => {
    const plan = planRemediation(
      incident("s3-public-access-block-disabled", { bucket: "ignored-bucket", accountLevel: true }),
      config(),
      NOW,
    );

    expect(plan.map((p) => [p.action, p.calls[0]?.service, p.calls[0]?.params.AccountId])).toEqual([
      ["s3-account-block-public-access", "s3control", ACCOUNT],
    ]);
  });

  it("falls back to the network ACL when no WAF IP set is configured", () => {
    const scanning = incident("web-scanning", { clientIp: "203.0.113.9" });

    const withAcl = planRemediation(
      scanning,
      config({ remediation: { networkAcl: { id: "acl-0123456789abcdef0" } } }),
      NOW,
    );
    const withNothing = explainPlan(scanning, config(), NOW);

    expect(withAcl[0]?.action).toBe("nacl-deny-ip");
    expect(withAcl[0]?.calls[0]?.params).toMatchObject({
      CidrBlock: "203.0.113.9/32",
      RuleAction: "deny",
      Egress: false,
    });
    expect(withNothing.plan).toEqual([]);
    expect(withNothing.notes.join()).toMatch(/no WAF IP set is configured/);
  });

  it("never plans to block a trusted address", () => {
    const scanning = incident("web-scanning", { clientIp: "10.1.2.3" });
    const cfg = config({
      trustedCidrs: ["10.0.0.0/8"],
      remediation: { wafIpSet: { name: "blocked", id: "abc", scope: "REGIONAL" } },
    });

    const explained = explainPlan(scanning, cfg, NOW);

    expect(explained.plan).toEqual([]);
    expect(explained.notes.join()).toMatch(/trusted range/);
  });

  it("revokes the sessions of a temporary key instead of deactivating it", () => {
    const plan = planRemediation(
      incident("access-key-anomalous-use", {
        principalType: "AssumedRole",
        roleName: "app-role",
        accessKeyId: "ASIAABCDEFGHIJKLMNOP",
      }),
      config(),
      NOW,
    );

    expect(plan[0]?.action).toBe("iam-revoke-sessions");
    expect(plan[0]?.calls[0]).toMatchObject({ operation: "PutRolePolicy", params: { RoleName: "app-role" } });
  });
});
