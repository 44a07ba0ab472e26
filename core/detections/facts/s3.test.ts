import { describe, expect, it } from "vitest";
import { disabledBlockSettings, permissiveCorsRules, publicGrants, publicStatements, requestedPolicy } from "./s3.js";

const allow = (extra: Record<string, unknown>) => ({
  Effect: "Allow",
  Action: "s3:GetObject",
  Resource: "*",
  ...extra,
});

describe("bucket policy public analysis", () => {
  it.each([
    ["Principal *", allow({ Principal: "*" }), true],
    ["AWS *", allow({ Principal: { AWS: "*" } }), true],
    ["AWS list with *", allow({ Principal: { AWS: ["arn:aws:iam::1:root", "*"] } }), true],
    ["NotPrincipal", allow({ NotPrincipal: { AWS: "arn:aws:iam::1:root" } }), true],
    ["Deny *", { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*" }, false],
    ["account principal", allow({ Principal: { AWS: "arn:aws:iam::1:root" } }), false],
    ["service principal", allow({ Principal: { Service: "cloudtrail.amazonaws.com" } }), false],
    [
      "pinned to an org",
      allow({ Principal: "*", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-1" } } }),
      false,
    ],
    [
      "pinned to a VPC endpoint",
      allow({ Principal: "*", Condition: { StringEquals: { "aws:sourceVpce": "vpce-1" } } }),
      false,
    ],
    [
      "pinned to an IP range",
      allow({ Principal: "*", Condition: { IpAddress: { "aws:SourceIp": ["203.0.113.0/24"] } } }),
      false,
    ],
    ["IP range 0.0.0.0/0", allow({ Principal: "*", Condition: { IpAddress: { "aws:SourceIp": "0.0.0.0/0" } } }), true],
    [
      "NotIpAddress",
      allow({ Principal: "*", Condition: { NotIpAddress: { "aws:SourceIp": "203.0.113.0/24" } } }),
      true,
    ],
    ["wildcard org", allow({ Principal: "*", Condition: { StringLike: { "aws:PrincipalOrgID": "*" } } }), true],
    ["IfExists", allow({ Principal: "*", Condition: { StringEqualsIfExists: { "aws:SourceVpc": "vpc-1" } } }), true],
    ["unrelated condition", allow({ Principal: "*", Condition: { Bool: { "aws:SecureTransport": "true" } } }), true],
  ])("%s → public %s", (_name, statement, expected) => {
    expect(publicStatements({ Statement: [statement] }).length > 0).toBe(expected);
  });

  it("reads the policy as an object, as JSON text, or not at all", () => {
    const policy = { Version: "2012-10-17", Statement: [allow({ Principal: "*" })] };

    expect(requestedPolicy({ requestParameters: { bucketPolicy: policy } })).toEqual(policy);
    expect(requestedPolicy({ requestParameters: { policy: [JSON.stringify(policy)] } })).toEqual(policy);
    expect(requestedPolicy({ requestParameters: { policy: [""] } })).toBeUndefined();
  });
});

describe("ACLs, CORS and public access blocks", () => {
  it("finds public grants in canned ACLs, grant lists and grant headers", () => {
    expect(publicGrants({ requestParameters: { "x-amz-acl": ["public-read"] } })).toEqual(["canned ACL public-read"]);
    expect(publicGrants({ requestParameters: { "x-amz-acl": "private" } })).toEqual([]);
    expect(
      publicGrants({
        requestParameters: {
          AccessControlPolicy: {
            AccessControlList: {
              Grant: [
                { Grantee: { ID: "owner" }, Permission: "FULL_CONTROL" },
                { Grantee: { URI: "http://acs.amazonaws.com/groups/global/AllUsers" }, Permission: "READ" },
              ],
            },
          },
        },
      }),
    ).toEqual(["READ to AllUsers (everyone)"]);
    expect(
      publicGrants({
        requestParameters: { "x-amz-grant-write": 'uri="http://acs.amazonaws.com/groups/global/AuthenticatedUsers"' },
      }),
    ).toEqual(["write to AuthenticatedUsers (any AWS account)"]);
  });

  it("finds CORS rules that allow any origin", () => {
    const record = (origins: unknown) => ({
      requestParameters: { CORSConfiguration: { CORSRule: { AllowedOrigin: origins, AllowedMethod: "GET" } } },
    });

    expect(permissiveCorsRules(record("*"))).toHaveLength(1);
    expect(permissiveCorsRules(record(["https://a.example", "https://*"]))).toHaveLength(1);
    expect(permissiveCorsRules(record(["https://*.example.com"]))).toHaveLength(0);
  });

  it("names the public access block settings turned off", () => {
    expect(
      disabledBlockSettings({
        requestParameters: {
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: "false",
            IgnorePublicAcls: true,
            BlockPublicPolicy: false,
            RestrictPublicBuckets: true,
          },
        },
      }),
    ).toEqual(["BlockPublicAcls", "BlockPublicPolicy"]);
    expect(disabledBlockSettings({ requestParameters: { bucketName: "b" } })).toBeUndefined();
  });
});
