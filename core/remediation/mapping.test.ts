import { describe, expect, it } from "vitest";
import { config, incident, sshOpenFacts } from "../../test/remediation/fixtures.js";
import { CATALOG } from "../detections/catalog.js";
import { canonicalIp, parseIp } from "../net/ip.js";
import { guardDutyAction } from "./guardduty.js";
import { actorArns, causedByTool, protectedPrincipal, wildcardMatch } from "./guardrails.js";
import { explainPlan } from "./policy.js";
import { getAction } from "./registry.js";
import { defaultModeOfAction, defaultResponse } from "./responses.js";

describe("GuardDuty finding types", () => {
  it.each([
    [
      "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom",
      { accessKeyId: "AKIAABCDEFGHIJKLMNOP" },
      "iam-deactivate-access-key",
    ],
    ["CredentialAccess:IAMUser/AnomalousBehavior", { accessKeyId: "ASIAABCDEFGHIJKLMNOP" }, "iam-revoke-sessions"],
    ["UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS", {}, undefined],
    ["Stealth:IAMUser/CloudTrailLoggingDisabled", {}, "cloudtrail-start-logging"],
    ["Policy:S3/BucketAnonymousAccessGranted", {}, "s3-block-public-access"],
    ["Policy:S3/AccountBlockPublicAccessDisabled", {}, "s3-account-block-public-access"],
    ["Recon:EC2/PortProbeUnprotectedPort", {}, "revoke-sg-rules"],
    ["Stealth:S3/ServerAccessLoggingDisabled", {}, undefined],
    ["Policy:IAMUser/RootCredentialUsage", {}, undefined],
    ["Backdoor:EC2/C&CActivity.B", {}, undefined],
  ])("%s → %s", (findingType, facts, action) => {
    expect(guardDutyAction({ findingType, ...facts }).action).toBe(action);
  });

  it("reads the key owner's type from the finding's principal", () => {
    const roleSession = incident(
      "guardduty-finding",
      {
        findingId: "f",
        findingType: "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS",
        accessKeyId: "ASIAABCDEFGHIJKLMNOP",
        userName: "app-role",
      },
      { principal: "AssumedRole/app-role" },
    );
    const rootKey = incident(
      "guardduty-finding",
      {
        findingId: "f",
        findingType: "UnauthorizedAccess:IAMUser/MaliciousIPCaller",
        accessKeyId: "AKIAABCDEFGHIJKLMNOP",
        userName: "root",
      },
      { principal: "Root/root" },
    );
    const unknownOwner = incident(
      "guardduty-finding",
      {
        findingId: "f",
        findingType: "CredentialAccess:IAMUser/AnomalousBehavior",
        accessKeyId: "ASIAABCDEFGHIJKLMNOP",
        userName: "who",
      },
      { principal: "" },
    );

    expect(explainPlan(roleSession, config()).plan[0]?.calls[0]).toMatchObject({
      operation: "PutRolePolicy",
      params: { RoleName: "app-role" },
    });
    expect(explainPlan(rootKey, config()).notes.join()).toMatch(/root access keys/);
    expect(explainPlan(unknownOwner, config()).notes.join()).toMatch(/cannot tell whether the temporary key/);
  });

  it("never repeats a malformed finding type in its note", () => {
    expect(guardDutyAction({ findingType: "<script>x</script>" }).note).toBe(
      "the GuardDuty finding type is missing or malformed: notify only",
    );
  });
});

describe("default responses", () => {
  it("come from the detection catalog and name only registered actions", () => {
    for (const definition of CATALOG) {
      if (definition.response.action) expect(getAction(definition.response.action).id).toBe(definition.response.action);
    }
    expect(defaultResponse("access-key-anomalous-use")).toEqual({
      mode: "approval",
      action: "iam-deactivate-access-key",
    });
    expect(defaultResponse("impossible-travel").mode).toBe("approval");
    expect(defaultResponse("console-login-brute-force")).toEqual({ mode: "auto", action: "iam-deny-temporarily" });
    expect(defaultModeOfAction("revoke-sg-rules")).toBe("auto");
  });
});

describe("guardrails", () => {
  it("matches ARN patterns with * and ? only", () => {
    expect(wildcardMatch("arn:aws:iam::*:role/BreakGlass*", "arn:aws:iam::123456789012:role/BreakGlassAdmin")).toBe(
      true,
    );
    expect(wildcardMatch("arn:aws:iam::*:role/Admin?", "arn:aws:iam::1:role/Admin12")).toBe(false);
    expect(wildcardMatch("arn:aws:iam::1:role/a.b", "arn:aws:iam::1:role/aXb")).toBe(false);
  });

  it("recognises Riposte's own role in session ARNs and role facts", () => {
    const bySession = incident("sg-ssh-open-world", sshOpenFacts(), {
      principal: "arn:aws:sts::1:assumed-role/riposte-remediation/s",
    });
    const byFacts = incident(
      "impossible-travel",
      { principalType: "AssumedRole", roleName: "riposte-api" },
      { principal: "" },
    );
    const other = incident("sg-ssh-open-world", sshOpenFacts(), {
      principal: "arn:aws:sts::1:assumed-role/not-riposte-x/s",
    });

    expect(causedByTool(bySession, config())).toMatch(/loop prevention/);
    expect(causedByTool(byFacts, config())).toMatch(/riposte-api/);
    expect(causedByTool(other, config())).toBeUndefined();
  });

  it("applies role patterns to the sessions of that role", () => {
    const cfg = config({ protection: { principals: ["arn:aws:iam::*:role/BreakGlass"] } });
    const session = incident("sg-ssh-open-world", sshOpenFacts(), {
      principal: "arn:aws:sts::123456789012:assumed-role/BreakGlass/alice",
    });
    const other = incident("sg-ssh-open-world", sshOpenFacts(), {
      principal: "arn:aws:sts::123456789012:assumed-role/BreakGlassOld/alice",
    });

    expect(protectedPrincipal(actorArns(session), cfg)).toMatch(/BreakGlass.*is a protected principal/);
    expect(protectedPrincipal(actorArns(other), cfg)).toBeUndefined();
  });
});

describe("facts are validated before they reach a call or a message", () => {
  it.each([
    [
      "a group id with markup",
      { groupId: "sg-<b>x</b>", rules: [{ ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" }] },
    ],
    [
      "a rule without id or range",
      { groupId: "sg-0123456789abcdef0", rules: [{ ipProtocol: "tcp", fromPort: 22, toPort: 22 }] },
    ],
    [
      "a bogus protocol",
      { groupId: "sg-0123456789abcdef0", rules: [{ ipProtocol: "tcp; rm", cidrIpv4: "0.0.0.0/0" }] },
    ],
    ["a bad CIDR", { groupId: "sg-0123456789abcdef0", rules: [{ ipProtocol: "tcp", cidrIpv4: "0.0.0.0/99" }] }],
  ])("refuses %s", (_name, facts) => {
    const explained = explainPlan(incident("sg-ssh-open-world", facts), config());

    expect(explained.plan).toEqual([]);
    expect(explained.notes.join()).toMatch(/revoke-sg-rules: /);
  });

  it("quotes an attacker's object key in descriptions", () => {
    const plan = explainPlan(
      incident("s3-object-acl-public", { bucket: "b-bucket", key: "x\n*click* <https://evil|here>" }),
      config(),
    ).plan;

    expect(plan[0]?.description).toContain('"x\\n*click* <https://evil|here>"');
  });

  it("writes IPv6 addresses canonically", () => {
    const parsed = parseIp("2001:0db8:0000:0000:0000:ff00:0042:8329");
    expect(parsed && canonicalIp(parsed.value, parsed.version)).toBe("2001:db8::ff00:42:8329");
    const mapped = parseIp("::ffff:203.0.113.7");
    expect(mapped && canonicalIp(mapped.value, mapped.version)).toBe("203.0.113.7");
  });
});
