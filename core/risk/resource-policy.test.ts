import { describe, expect, it } from "vitest";
import {
  isPublicPolicy,
  isPublicStatement,
  type PolicyStatement,
  parsePolicy,
  readPolicy,
  splitPublicStatements,
  UnparsablePolicy,
} from "./resource-policy.js";

const everyone: PolicyStatement = { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" };
const pinned = (operator: string, key: string, value: unknown): PolicyStatement => ({
  ...everyone,
  Condition: { [operator]: { [key]: value } },
});

describe("resource policy: what is public", () => {
  it.each<[string, PolicyStatement, boolean]>([
    ["Principal *", everyone, true],
    ["AWS: *", { ...everyone, Principal: { AWS: "*" } }, true],
    ['AWS: ["*"]', { ...everyone, Principal: { AWS: ["*"] } }, true],
    ["AWS list holding *", { ...everyone, Principal: { AWS: ["arn:aws:iam::111122223333:root", "*"] } }, true],
    ["CanonicalUser *", { ...everyone, Principal: { CanonicalUser: "*" } }, true],
    ["NotPrincipal with Allow", { Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::111122223333:root" } }, true],
    ["a fixed account", { ...everyone, Principal: { AWS: "arn:aws:iam::111122223333:root" } }, false],
    ["a service principal", { ...everyone, Principal: { Service: "cloudtrail.amazonaws.com" } }, false],
    ["Deny to everyone", { ...everyone, Effect: "Deny" }, false],
    ["pinned to a VPC endpoint", pinned("StringEquals", "aws:SourceVpce", "vpce-1"), false],
    ["pinned to a VPC (key in any case)", pinned("StringEquals", "aws:sourcevpc", "vpc-1"), false],
    ["pinned to an organisation", pinned("StringEquals", "aws:PrincipalOrgID", "o-abc"), false],
    ["pinned to an account", pinned("StringEquals", "aws:PrincipalAccount", "111122223333"), false],
    ["pinned to a source account", pinned("StringEquals", "aws:SourceAccount", "111122223333"), false],
    ["pinned to the calling account (KMS)", pinned("StringEquals", "kms:CallerAccount", "111122223333"), false],
    ["KMS service only, any account", pinned("StringEquals", "kms:ViaService", "ec2.us-east-1.amazonaws.com"), true],
    ["pinned to a source ARN", pinned("ArnEquals", "aws:SourceArn", "arn:aws:sns:us-east-1:111122223333:t"), false],
    ["pinned to a principal ARN", pinned("ArnEquals", "aws:PrincipalArn", "arn:aws:iam::111122223333:role/r"), false],
    ["source IP range", pinned("IpAddress", "aws:SourceIp", ["203.0.113.0/24"]), false],
    ["source IP address", pinned("IpAddress", "aws:SourceIp", "203.0.113.7"), false],
    ["source IP 0.0.0.0/0", pinned("IpAddress", "aws:SourceIp", "0.0.0.0/0"), true],
    ["one of the IP ranges is /0", pinned("IpAddress", "aws:SourceIp", ["203.0.113.0/24", "::/0"]), true],
    ["NotIpAddress", pinned("NotIpAddress", "aws:SourceIp", "203.0.113.0/24"), true],
    ["negated condition", pinned("StringNotEquals", "aws:SourceVpce", "vpce-1"), true],
    ["…IfExists condition", pinned("StringEqualsIfExists", "aws:SourceVpce", "vpce-1"), true],
    ["TLS only", pinned("Bool", "aws:SecureTransport", "true"), true],
    ["wildcard org", pinned("StringLike", "aws:PrincipalOrgID", "*"), true],
    ["ForAnyValue pins like its operator", pinned("ForAnyValue:StringEquals", "aws:SourceVpce", ["vpce-1"]), false],
    // The cases detection and remediation used to answer differently (see resource-policy.ts):
    [
      "partial wildcard principal (detection said not public)",
      { ...everyone, Principal: { AWS: "arn:aws:iam::*:root" } },
      true,
    ],
    ["wildcard in a pinned ARN (detection said restricted)", pinned("StringLike", "aws:SourceArn", "arn:aws:*"), true],
    [
      "aws:username is no restriction (detection said restricted)",
      pinned("StringEquals", "aws:username", "alice"),
      true,
    ],
    [
      "KMS key id pins (detection said public)",
      pinned(
        "StringEquals",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        "arn:aws:kms:us-east-1:111122223333:key/k",
      ),
      false,
    ],
    [
      "access point account pins (remediation said public)",
      pinned("StringEquals", "s3:DataAccessPointAccount", "111122223333"),
      false,
    ],
    [
      "aws:SourceIp needs IpAddress (detection took StringEquals)",
      pinned("StringEquals", "aws:SourceIp", "203.0.113.7"),
      true,
    ],
    ["Null only asks for a key (remediation said restricted)", pinned("Null", "aws:SourceVpc", "false"), true],
    [
      "ForAllValues passes with no key (both said restricted)",
      pinned("ForAllValues:StringEquals", "aws:SourceVpce", ["vpce-1"]),
      true,
    ],
    [
      "org path subtree (remediation said public)",
      pinned("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", "o-abc/r-ab12/ou-ab12-1111/*"),
      false,
    ],
    ["org path with a wildcard organisation", pinned("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", "o-*/*"), true],
  ])("%s → public %s", (_name, statement, expected) => {
    expect(isPublicStatement(statement)).toBe(expected);
  });
});

describe("resource policy: reading the document", () => {
  it("reads JSON text or an object, Statement as an object or a list, Action and Resource as a string or a list", () => {
    const listed = { Version: "2012-10-17", Statement: [{ ...everyone, Action: ["s3:GetObject", "s3:ListBucket"] }] };

    expect(parsePolicy(JSON.stringify({ Statement: everyone }))?.Statement).toEqual([everyone]);
    expect(parsePolicy(listed)).toEqual(listed);
    expect(isPublicPolicy(JSON.stringify(listed))).toBe(true);
    expect(isPublicPolicy({ Statement: { ...everyone, Effect: "Deny" } })).toBe(false);
  });

  it.each<[string, unknown, string]>([
    ["text that is not JSON", "not json", "the policy is not JSON"],
    ["a JSON list", "[]", "the policy is not a JSON object"],
    ["no Statement", { Version: "2012-10-17" }, "the policy has no Statement"],
    ["a statement that is text", { Statement: ["x"] }, "statement 1 is not an object"],
    [
      "an unknown Effect",
      { Statement: [everyone, { ...everyone, Effect: "allow" }] },
      "statement 2 has an Effect other than Allow or Deny",
    ],
    [
      "a numeric Action",
      { Statement: { ...everyone, Action: 7 } },
      "statement 1 Action is not a string or a list of strings",
    ],
    [
      "a numeric Principal",
      { Statement: { ...everyone, Principal: 1 } },
      'statement 1 Principal is neither "*" nor an object',
    ],
    [
      "a Principal list of objects",
      { Statement: { ...everyone, Principal: { AWS: [{}] } } },
      "statement 1 Principal AWS is not a string or a list of strings",
    ],
    [
      "a Condition that is text",
      { Statement: { ...everyone, Condition: "x" } },
      "statement 1 Condition is not an object of operator blocks",
    ],
  ])("reports %s as unparsable, never guessed", (_name, input, problem) => {
    const reading = readPolicy(input);

    expect(reading.ok).toBe(false);
    expect(reading.ok ? "" : reading.problem).toContain(problem);
    expect(() => isPublicPolicy(input)).toThrow(UnparsablePolicy);
  });

  it("names its error class for Retry/Catch", () => {
    const error = (() => {
      try {
        isPublicPolicy("{");
      } catch (caught) {
        return caught as Error;
      }
    })();

    expect(error?.name).toBe("UnparsablePolicy");
    expect(error?.message).toMatch(/^the policy is not JSON/);
  });

  it("splits the public statements from the rest", () => {
    const vpc = pinned("StringEquals", "aws:SourceVpc", "vpc-1");
    const policy = parsePolicy({ Statement: [everyone, vpc] });

    expect(policy && splitPublicStatements(policy)).toEqual({ public: [everyone], rest: [vpc] });
  });
});
