import { describe, expect, it } from "vitest";
import { factsShowPublicAcl, isPublicGrant } from "./acl.js";
import { isPublicPolicy, isPublicStatement, type PolicyStatement, parsePolicy } from "./bucket-policy.js";
import { isPermissiveRule, normaliseCors } from "./cors.js";
import { deniedUntil, revokedBefore, revokeSessionsDocument, temporaryDenyDocument } from "./iam-policy.js";
import { describeRule, exposedPorts, isWorldOpenRule, sameRuleShape } from "./sg-rules.js";

const everyone: PolicyStatement = { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" };

describe("bucket policy: what is public", () => {
  it.each<[string, PolicyStatement, boolean]>([
    ["Principal *", everyone, true],
    ["AWS: *", { ...everyone, Principal: { AWS: "*" } }, true],
    ["AWS list holding *", { ...everyone, Principal: { AWS: ["arn:aws:iam::111122223333:root", "*"] } }, true],
    ["any account's root", { ...everyone, Principal: { AWS: "arn:aws:iam::*:root" } }, true],
    [
      "NotPrincipal with Allow",
      { Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "s3:*" },
      true,
    ],
    ["a fixed account", { ...everyone, Principal: { AWS: "arn:aws:iam::111122223333:root" } }, false],
    ["Deny to everyone", { ...everyone, Effect: "Deny" }, false],
    ["pinned to a VPC endpoint", { ...everyone, Condition: { StringEquals: { "aws:SourceVpce": "vpce-1" } } }, false],
    [
      "pinned to an organisation",
      { ...everyone, Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc" } } },
      false,
    ],
    ["source IP range", { ...everyone, Condition: { IpAddress: { "aws:SourceIp": ["203.0.113.0/24"] } } }, false],
    ["source IP 0.0.0.0/0", { ...everyone, Condition: { IpAddress: { "aws:SourceIp": "0.0.0.0/0" } } }, true],
    ["negated condition", { ...everyone, Condition: { StringNotEquals: { "aws:SourceVpce": "vpce-1" } } }, true],
    ["…IfExists condition", { ...everyone, Condition: { StringEqualsIfExists: { "aws:SourceVpce": "vpce-1" } } }, true],
    [
      "wildcard in the pinned value",
      { ...everyone, Condition: { StringLike: { "aws:SourceArn": "arn:aws:*" } } },
      true,
    ],
    ["TLS only", { ...everyone, Condition: { Bool: { "aws:SecureTransport": "true" } } }, true],
  ])("%s → %s", (_name, statement, expected) => {
    expect(isPublicStatement(statement)).toBe(expected);
  });

  it("parses a single statement object and rejects what is not a policy", () => {
    expect(parsePolicy(JSON.stringify({ Statement: everyone }))?.Statement).toEqual([everyone]);
    expect(parsePolicy("not json")).toBeUndefined();
    expect(parsePolicy(JSON.stringify({ Statement: ["x"] }))).toBeUndefined();
    expect(isPublicPolicy(undefined)).toBe(false);
  });
});

describe("CORS", () => {
  it("reads CloudTrail's singular keys and the SDK's plural ones alike", () => {
    const trail = normaliseCors({
      CORSConfiguration: { CORSRule: { AllowedOrigin: "*", AllowedMethod: ["GET"], MaxAgeSeconds: "300" } },
    });
    const sdk = normaliseCors({ CORSRules: [{ AllowedOrigins: ["https://a.example"], AllowedMethods: ["GET"] }] });

    expect(trail).toEqual([{ AllowedOrigins: ["*"], AllowedMethods: ["GET"], MaxAgeSeconds: 300 }]);
    expect(sdk?.[0]?.AllowedOrigins).toEqual(["https://a.example"]);
    expect(normaliseCors({ CORSRules: [{ AllowedMethods: ["GET"] }] })).toBeUndefined();
  });

  it.each([
    [["*"], true],
    [["https://*"], true],
    [["https://*.example.com"], false],
    [["https://app.example.com"], false],
  ])("origins %j permissive: %s", (origins, expected) => {
    expect(isPermissiveRule({ AllowedOrigins: origins, AllowedMethods: ["GET"] })).toBe(expected);
  });
});

describe("ACLs", () => {
  it("finds public grants in the SDK's shape and in event facts", () => {
    expect(
      isPublicGrant({ Grantee: { Type: "Group", URI: "http://acs.amazonaws.com/groups/global/AuthenticatedUsers" } }),
    ).toBe(true);
    expect(isPublicGrant({ Grantee: { Type: "Group", URI: "http://acs.amazonaws.com/groups/s3/LogDelivery" } })).toBe(
      false,
    );
    expect(factsShowPublicAcl(["public-read"])).toBe(true);
    expect(factsShowPublicAcl({ "x-amz-grant-read": ["uri=http://acs.amazonaws.com/groups/global/AllUsers"] })).toBe(
      true,
    );
    expect(factsShowPublicAcl({ acl: "private" })).toBe(false);
  });
});

describe("IAM deny documents", () => {
  it("round-trips the expiry and the revocation time, URL-encoded or not", () => {
    const until = new Date("2026-03-02T10:35:00.123Z");

    expect(deniedUntil(temporaryDenyDocument(until))).toBe("2026-03-02T10:35:00Z");
    expect(deniedUntil(encodeURIComponent(temporaryDenyDocument(until)))).toBe("2026-03-02T10:35:00Z");
    expect(revokedBefore(revokeSessionsDocument(until))).toBe("2026-03-02T10:35:00Z");
    expect(deniedUntil(revokeSessionsDocument(until))).toBeUndefined();
    expect(
      deniedUntil(JSON.stringify({ Statement: [{ Effect: "Deny", Action: "s3:*", Resource: "*" }] })),
    ).toBeUndefined();
  });
});

describe("security group rules", () => {
  it("compares protocols by name or number and CIDRs as ranges", () => {
    expect(
      sameRuleShape(
        { ipProtocol: "6", fromPort: 22, toPort: 22, cidrIpv6: "0::0/0" },
        { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv6: "::/0" },
      ),
    ).toBe(true);
    expect(
      sameRuleShape(
        { ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" },
        { ipProtocol: "all", fromPort: -1, toPort: -1, cidrIpv4: "0.0.0.0/0" },
      ),
    ).toBe(true);
    expect(
      sameRuleShape(
        { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" },
        { ipProtocol: "tcp", fromPort: 22, toPort: 23, cidrIpv4: "0.0.0.0/0" },
      ),
    ).toBe(false);
  });

  it("judges world-open risky ports, including port ranges and all-protocol rules", () => {
    expect(isWorldOpenRule({ ipProtocol: "tcp", cidrIpv4: "10.0.0.0/8" })).toBe(false);
    expect(
      exposedPorts({ ipProtocol: "tcp", fromPort: 0, toPort: 4000, cidrIpv4: "0.0.0.0/0" }, [22, 3389, 5432]),
    ).toEqual([22, 3389]);
    expect(exposedPorts({ ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" }, [22])).toEqual([22]);
    expect(exposedPorts({ ipProtocol: "icmp", fromPort: 8, toPort: 0, cidrIpv4: "0.0.0.0/0" }, [22])).toEqual([]);
    expect(describeRule({ ipProtocol: "tcp", fromPort: 1000, toPort: 2000, cidrIpv6: "::/0" })).toBe(
      "tcp 1000-2000 from ::/0",
    );
  });
});
