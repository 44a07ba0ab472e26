import { DescribeSecurityGroupRulesCommand, DescribeSecurityGroupsCommand } from "@aws-sdk/client-ec2";
import {
  GetBucketAclCommand,
  GetBucketCorsCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetBucketTaggingCommand,
} from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand, ListQueueTagsCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../core/log.js";
import { removePublicStatements } from "../../core/remediation/actions/resource-policy.js";
import { removePublicStatementsPlanner } from "../../core/remediation/actions/resource-policy.plan.js";
import type { ResourcePolicyTarget } from "../../core/remediation/actions/resource-policy-target.js";
import { privateBucketAcl } from "../../core/remediation/actions/s3-acl.js";
import { privateBucketAclPlanner } from "../../core/remediation/actions/s3-acl.plan.js";
import { restrictCors } from "../../core/remediation/actions/s3-cors.js";
import { restrictCorsPlanner } from "../../core/remediation/actions/s3-cors.plan.js";
import { removePublicPolicy } from "../../core/remediation/actions/s3-policy.js";
import { removePublicPolicyPlanner } from "../../core/remediation/actions/s3-policy.plan.js";
import { revokeSgRules } from "../../core/remediation/actions/security-group.js";
import { revokeSgRulesPlanner, type SgTarget } from "../../core/remediation/actions/security-group.plan.js";
import { createAwsGateway } from "../../core/remediation/aws/gateway.js";
import { detect, ids } from "../detections/harness.js";
import { authorizeIngress, record, s3 } from "../fixtures/events/cloudtrail.js";
import { seededRandom } from "../support/seeded-random.js";
import { config, incident } from "./fixtures.js";
import { mockAws } from "./mock-aws.js";

/**
 * What fired and what counts as fixed agree (issue 18): for generated security group rules and
 * bucket policies (and bucket ACLs, CORS rules and SQS resource policies), detection's "exposed" (a finding from the CloudTrail record, through the
 * engine) equals verification's "still exposed" (the live read judged by the action's verify)
 * and the plan's "something to revoke or remove". Each side is reached through its public
 * functions only. The generators are seeded, so a failure names a case that replays.
 */

const aws = mockAws();
afterAll(() => aws.restore());
beforeEach(() => aws.reset());

const SEED = 18;
const CASES = 100;
const GROUP = "sg-0123456789abcdef0";
const BUCKET = "generated-bucket";

function picker(next: () => number) {
  return <T>(choices: readonly T[]): T => choices[Math.floor(next() * choices.length)] as T;
}

const cfg = config();
const gateway = () => createAwsGateway({ aws: { maxAttempts: 1 }, region: "us-east-1", logger: silentLogger });

// ---------------------------------------------------------------- security group rules

interface GeneratedRule {
  protocol: string;
  from?: number;
  to?: number;
  cidr: string;
}

function generateRule(pick: ReturnType<typeof picker>): GeneratedRule {
  const ports = [undefined, -1, 0, 21, 22, 23, 80, 443, 3306, 3389, 5432, 8080, 65535];
  const from = pick(ports);
  return {
    protocol: pick(["tcp", "udp", "icmp", "icmpv6", "-1", "6", "17", "1", "58", "47", "TCP"]),
    from,
    to: pick([from, from, ...ports]),
    cidr: pick(["0.0.0.0/0", "::/0", "203.0.113.9/0", "10.0.0.0/8", "0.0.0.0/1", "2001:db8::/32", "198.51.100.7/32"]),
  };
}

async function detectionSaysExposed(rule: GeneratedRule): Promise<boolean> {
  const v6 = rule.cidr.includes(":");
  const record = authorizeIngress(GROUP, [
    {
      protocol: rule.protocol,
      ...(rule.from === undefined ? {} : { from: rule.from }),
      ...(rule.to === undefined ? {} : { to: rule.to }),
      ...(v6 ? { ipv6: [rule.cidr] } : { cidrs: [rule.cidr] }),
    },
  ]);
  const fired = ids(await detect([record]));
  return fired.includes("sg-ssh-open-world") || fired.includes("sg-high-risk-port-open");
}

function liveRule(rule: GeneratedRule) {
  return {
    SecurityGroupRuleId: "sgr-00000000000000001",
    GroupId: GROUP,
    IsEgress: false,
    IpProtocol: rule.protocol,
    ...(rule.from === undefined ? {} : { FromPort: rule.from }),
    ...(rule.to === undefined ? {} : { ToPort: rule.to }),
    ...(rule.cidr.includes(":") ? { CidrIpv6: rule.cidr } : { CidrIpv4: rule.cidr }),
  };
}

/** The group as AWS Config names it (no rules): verification and the plan judge its live rules. */
const groupTarget: SgTarget = { kind: "group", groupId: GROUP, ports: [] };
const groupIncident = incident("config-sg-open-to-world", { groupId: GROUP, rules: [] });

async function verificationSaysStillExposed(rule: GeneratedRule): Promise<boolean> {
  aws.reset();
  aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: GROUP }] });
  aws.ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [liveRule(rule)] });
  const checks = await revokeSgRules.verify({
    config: cfg,
    now: new Date("2026-03-02T10:06:00Z"),
    incident: groupIncident,
    target: groupTarget,
    aws: gateway(),
    logger: silentLogger,
  });
  const check = checks.find((c) => c.name === "no world-open rule on a risky port");
  if (!check) throw new Error(`no exposure check among ${JSON.stringify(checks)}`);
  return !check.ok;
}

function planSaysExposed(rule: GeneratedRule): boolean {
  const state = {
    groups: [
      {
        groupId: GROUP,
        rules: [
          {
            ruleId: "sgr-00000000000000001",
            groupId: GROUP,
            egress: false,
            ipProtocol: rule.protocol,
            ...(rule.from === undefined ? {} : { fromPort: rule.from }),
            ...(rule.to === undefined ? {} : { toPort: rule.to }),
            ...(rule.cidr.includes(":") ? { cidrIpv6: rule.cidr } : { cidrIpv4: rule.cidr }),
          },
        ],
      },
    ],
  };
  const calls = revokeSgRulesPlanner.plan({
    config: cfg,
    now: new Date("2026-03-02T10:05:00Z"),
    incident: groupIncident,
    target: groupTarget,
    state,
  });
  return calls.length > 0;
}

describe("security group rules: detection, verification and plan agree", () => {
  const pick = picker(seededRandom(SEED));
  const rules = Array.from({ length: CASES }, () => generateRule(pick));
  // The cases the two models used to disagree on, always included.
  rules.push(
    { protocol: "tcp", from: -1, to: -1, cidr: "0.0.0.0/0" },
    { protocol: "udp", from: -1, to: -1, cidr: "::/0" },
    { protocol: "tcp", cidr: "0.0.0.0/0" },
    { protocol: "6", from: 22, to: 22, cidr: "0.0.0.0/0" },
    { protocol: "icmp", from: -1, to: -1, cidr: "0.0.0.0/0" },
  );

  it("exposes the generated rules alike on every side", async () => {
    const disagreements: string[] = [];
    let exposed = 0;
    for (const rule of rules) {
      const detected = await detectionSaysExposed(rule);
      const still = await verificationSaysStillExposed(rule);
      const planned = planSaysExposed(rule);
      if (detected) exposed++;
      if (detected !== still || detected !== planned) {
        disagreements.push(`${JSON.stringify(rule)}: detection ${detected}, verification ${still}, plan ${planned}`);
      }
    }

    expect(disagreements).toEqual([]);
    // The generator reaches both answers often enough for the property to mean something.
    expect(exposed).toBeGreaterThan(rules.length / 10);
    expect(exposed).toBeLessThan(rules.length - rules.length / 10);
  });

  it("reads tcp with FromPort -1 as every port on both sides", async () => {
    const rule = { protocol: "tcp", from: -1, to: -1, cidr: "0.0.0.0/0" };

    expect(await detectionSaysExposed(rule)).toBe(true);
    expect(await verificationSaysStillExposed(rule)).toBe(true);
  });
});

// ---------------------------------------------------------------- bucket policies

function generateStatement(pick: ReturnType<typeof picker>): Record<string, unknown> {
  const principal = pick<Record<string, unknown>>([
    { Principal: "*" },
    { Principal: { AWS: "*" } },
    { Principal: { AWS: ["*"] } },
    { Principal: { AWS: ["arn:aws:iam::111122223333:root", "*"] } },
    { Principal: { CanonicalUser: "*" } },
    { Principal: { AWS: "arn:aws:iam::*:root" } },
    { Principal: { AWS: "arn:aws:iam::111122223333:root" } },
    { Principal: { Service: "cloudtrail.amazonaws.com" } },
    { NotPrincipal: { AWS: "arn:aws:iam::111122223333:root" } },
  ]);
  const condition = pick<Record<string, Record<string, unknown>> | undefined>([
    undefined,
    undefined,
    { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } },
    { StringEquals: { "aws:PrincipalAccount": "111122223333" } },
    { StringEquals: { "aws:SourceAccount": "111122223333" } },
    { ArnLike: { "aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:topic" } },
    { ArnLike: { "aws:SourceArn": "arn:aws:*" } },
    { StringEquals: { "aws:SourceVpc": "vpc-1" } },
    { StringEquals: { "aws:SourceVpce": ["vpce-1", "vpce-2"] } },
    { StringNotEquals: { "aws:SourceVpce": "vpce-1" } },
    { StringEqualsIfExists: { "aws:SourceVpc": "vpc-1" } },
    { Null: { "aws:SourceVpc": "false" } },
    { "ForAllValues:StringEquals": { "aws:SourceVpce": ["vpce-1"] } },
    { "ForAnyValue:StringLike": { "aws:PrincipalOrgPaths": "o-abc123/r-ab12/*" } },
    { IpAddress: { "aws:SourceIp": "203.0.113.0/24" } },
    { IpAddress: { "aws:SourceIp": ["203.0.113.0/24", "0.0.0.0/0"] } },
    { NotIpAddress: { "aws:SourceIp": "203.0.113.0/24" } },
    { StringEquals: { "aws:SourceIp": "203.0.113.7" } },
    { StringEquals: { "aws:username": "alice" } },
    { StringEquals: { "aws:userid": "AROAEXAMPLE:alice" } },
    { StringLike: { "aws:userid": "AROAEXAMPLE:*" } },
    { StringEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:1:key/k" } },
    { StringEquals: { "s3:DataAccessPointAccount": "111122223333" } },
    { Bool: { "aws:SecureTransport": "true" } },
  ]);
  return {
    Effect: pick(["Allow", "Allow", "Deny"]),
    ...principal,
    Action: pick(["s3:GetObject", ["s3:GetObject", "s3:ListBucket"], "s3:*"]),
    Resource: pick([`arn:aws:s3:::${BUCKET}/*`, [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`]]),
    ...(condition ? { Condition: condition } : {}),
  };
}

function generatePolicy(pick: ReturnType<typeof picker>): Record<string, unknown> {
  const statements = Array.from({ length: pick([1, 1, 2, 3]) }, () => generateStatement(pick));
  const single = statements.length === 1 && pick([true, false]);
  return { Version: "2012-10-17", Statement: single ? statements[0] : statements };
}

async function policyDetected(policy: Record<string, unknown>, asText: boolean): Promise<boolean> {
  const params = asText ? { policy: [JSON.stringify(policy)] } : { bucketPolicy: policy };
  return ids(await detect([s3("PutBucketPolicy", BUCKET, params)])).includes("s3-bucket-policy-public");
}

const policyTarget = { bucket: BUCKET, restoreIfMissing: false };
const policyIncident = incident("s3-bucket-policy-public", { bucket: BUCKET });

async function policyStillPublic(text: string): Promise<{ stillPublic: boolean; detail?: string }> {
  aws.reset();
  aws.s3.on(GetBucketTaggingCommand).rejects(Object.assign(new Error("NoSuchTagSet"), { name: "NoSuchTagSet" }));
  aws.s3.on(GetBucketPolicyCommand).resolves({ Policy: text });
  aws.s3.on(GetBucketPolicyStatusCommand).resolves({});
  const checks = await removePublicPolicy.verify({
    config: cfg,
    now: new Date("2026-03-02T10:06:00Z"),
    incident: policyIncident,
    target: policyTarget,
    aws: gateway(),
    logger: silentLogger,
  });
  const check = checks.find((c) => c.name === "no public statement in the bucket policy");
  if (!check) throw new Error(`no policy check among ${JSON.stringify(checks)}`);
  return { stillPublic: !check.ok, detail: check.detail };
}

function policyPlanned(text: string): boolean {
  const calls = removePublicPolicyPlanner.plan({
    config: cfg,
    now: new Date("2026-03-02T10:05:00Z"),
    incident: policyIncident,
    target: policyTarget,
    state: { policy: text },
  });
  return calls.length > 0;
}

describe("bucket policies: detection, verification and plan agree", () => {
  it("judges the generated policies alike on every side", async () => {
    const pick = picker(seededRandom(SEED + 1));
    const disagreements: string[] = [];
    let exposed = 0;
    for (let i = 0; i < CASES; i++) {
      const policy = generatePolicy(pick);
      const text = JSON.stringify(policy);
      const detected = await policyDetected(policy, pick([true, false]));
      const { stillPublic } = await policyStillPublic(text);
      const planned = policyPlanned(text);
      if (detected) exposed++;
      if (detected !== stillPublic || detected !== planned) {
        disagreements.push(`${text}: detection ${detected}, verification ${stillPublic}, plan ${planned}`);
      }
    }

    expect(disagreements).toEqual([]);
    expect(exposed).toBeGreaterThan(CASES / 10);
    expect(exposed).toBeLessThan(CASES - CASES / 10);
  });

  it("fails verification of a policy it cannot read instead of calling it private", async () => {
    const unreadable = JSON.stringify({ Statement: [{ Effect: "Allow", Principal: 7, Action: "s3:GetObject" }] });

    const { stillPublic, detail } = await policyStillPublic(unreadable);

    expect(stillPublic).toBe(true);
    expect(detail).toBe('the policy could not be read: statement 1 Principal is neither "*" nor an object');
  });
});

// ---------------------------------------------------------------- resource policies (SNS, SQS, ECR…)

const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/generated";
const queueTarget: ResourcePolicyTarget = { service: "sqs", queueUrl: QUEUE_URL, region: "us-east-1" };
const queueIncident = incident("resource-policy-public", { service: "sqs", resourceName: QUEUE_URL });

async function queuePolicyDetected(text: string): Promise<boolean> {
  const event = record(
    "sqs.amazonaws.com",
    "SetQueueAttributes",
    { queueUrl: QUEUE_URL, attributes: { Policy: text } },
    null,
  );
  return ids(await detect([event])).includes("resource-policy-public");
}

async function queuePolicyStillPublic(text: string): Promise<boolean> {
  aws.reset();
  aws.sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { Policy: text } });
  aws.sqs.on(ListQueueTagsCommand).resolves({ Tags: {} });
  const checks = await removePublicStatements.verify({
    config: cfg,
    now: new Date("2026-03-02T10:06:00Z"),
    incident: queueIncident,
    target: queueTarget,
    aws: gateway(),
    logger: silentLogger,
  });
  return checks.some((check) => !check.ok);
}

function queuePolicyPlanned(text: string): boolean {
  const calls = removePublicStatementsPlanner.plan({
    config: cfg,
    now: new Date("2026-03-02T10:05:00Z"),
    incident: queueIncident,
    target: queueTarget,
    state: { policy: text },
  });
  return calls.length > 0;
}

describe("resource policies: detection, verification and plan agree", () => {
  it("judges the generated queue policies alike on every side", async () => {
    const pick = picker(seededRandom(SEED + 4));
    const disagreements: string[] = [];
    let exposed = 0;
    for (let i = 0; i < CASES; i++) {
      const text = JSON.stringify(generatePolicy(pick));
      const detected = await queuePolicyDetected(text);
      const stillPublic = await queuePolicyStillPublic(text);
      const planned = queuePolicyPlanned(text);
      if (detected) exposed++;
      if (detected !== stillPublic || detected !== planned) {
        disagreements.push(`${text}: detection ${detected}, verification ${stillPublic}, plan ${planned}`);
      }
    }

    expect(disagreements).toEqual([]);
    expect(exposed).toBeGreaterThan(CASES / 10);
    expect(exposed).toBeLessThan(CASES - CASES / 10);
  });
});

// ---------------------------------------------------------------- bucket ACLs and CORS

/** A live S3 read: the bucket answers `command` with `answer`, and has no tags. */
function s3Answers(command: typeof GetBucketAclCommand | typeof GetBucketCorsCommand, answer: object): void {
  aws.reset();
  aws.s3.on(GetBucketTaggingCommand).rejects(Object.assign(new Error("NoSuchTagSet"), { name: "NoSuchTagSet" }));
  aws.s3.on(command).resolves(answer);
}

const liveContext = <T>(detection: "s3-bucket-acl-public" | "s3-cors-permissive", target: T) => ({
  config: cfg,
  now: new Date("2026-03-02T10:06:00Z"),
  incident: incident(detection, { bucket: BUCKET }),
  target,
  aws: gateway(),
  logger: silentLogger,
});

describe("bucket ACLs: detection, verification and plan agree", () => {
  const URIS = [
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
    "https://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/s3/LogDelivery",
  ];

  it("judges the generated grant lists alike on every side", async () => {
    const pick = picker(seededRandom(SEED + 2));
    const disagreements: string[] = [];
    let exposed = 0;
    for (let i = 0; i < CASES / 2; i++) {
      const grants = Array.from({ length: pick([1, 2, 3]) }, () => ({
        uri: pick([...URIS, undefined]),
        permission: pick(["READ", "WRITE", "FULL_CONTROL"] as const),
      }));
      const record = s3("PutBucketAcl", BUCKET, {
        AccessControlPolicy: {
          AccessControlList: {
            Grant: grants.map((g) => ({
              Grantee: g.uri ? { URI: g.uri, xsiType: "Group" } : { ID: "owner-id", xsiType: "CanonicalUser" },
              Permission: g.permission,
            })),
          },
          Owner: { ID: "owner-id" },
        },
      });
      const detected = ids(await detect([record])).includes("s3-bucket-acl-public");
      const sdkGrants = grants.map((g) => ({
        Grantee: g.uri ? { Type: "Group" as const, URI: g.uri } : { Type: "CanonicalUser" as const, ID: "owner-id" },
        Permission: g.permission,
      }));
      s3Answers(GetBucketAclCommand, { Owner: { ID: "owner-id" }, Grants: sdkGrants });
      const checks = await privateBucketAcl.verify(liveContext("s3-bucket-acl-public", { bucket: BUCKET }));
      const still = checks[0]?.ok === false;
      const planned =
        privateBucketAclPlanner.plan({
          ...liveContext("s3-bucket-acl-public", { bucket: BUCKET }),
          state: { owner: { ID: "owner-id" }, grants: sdkGrants },
        }).length > 0;
      if (detected) exposed++;
      if (detected !== still || detected !== planned) {
        disagreements.push(`${JSON.stringify(grants)}: detection ${detected}, verification ${still}, plan ${planned}`);
      }
    }

    expect(disagreements).toEqual([]);
    expect(exposed).toBeGreaterThan(CASES / 20);
    expect(exposed).toBeLessThan(CASES / 2 - CASES / 20);
  });
});

describe("CORS rules: detection, verification and plan agree", () => {
  const ORIGINS = [
    "*",
    "https://*",
    "HTTPS://*",
    "http://*",
    "https://*.example.com",
    "https://app.example.com",
    "http://localhost:3000",
    "https://a.example.org",
  ];

  it("judges the generated CORS rules alike on every side", async () => {
    const pick = picker(seededRandom(SEED + 3));
    const disagreements: string[] = [];
    let exposed = 0;
    for (let i = 0; i < CASES / 2; i++) {
      const rules = Array.from({ length: pick([1, 1, 2]) }, () => ({
        origins: Array.from({ length: pick([1, 1, 2]) }, () => pick(ORIGINS)),
        methods: pick([["GET"], ["GET", "PUT"]]),
      }));
      const record = s3("PutBucketCors", BUCKET, {
        CORSConfiguration: {
          CORSRule: rules.map((r) => ({ AllowedOrigin: r.origins, AllowedMethod: r.methods })),
        },
      });
      const detected = ids(await detect([record])).includes("s3-cors-permissive");
      const sdkRules = rules.map((r) => ({ AllowedOrigins: r.origins, AllowedMethods: r.methods }));
      s3Answers(GetBucketCorsCommand, { CORSRules: sdkRules });
      const checks = await restrictCors.verify(liveContext("s3-cors-permissive", { bucket: BUCKET }));
      const still = checks[0]?.ok === false;
      const planned =
        restrictCorsPlanner.plan({
          ...liveContext("s3-cors-permissive", { bucket: BUCKET }),
          state: { rules: sdkRules },
        }).length > 0;
      if (detected) exposed++;
      if (detected !== still || detected !== planned) {
        disagreements.push(`${JSON.stringify(rules)}: detection ${detected}, verification ${still}, plan ${planned}`);
      }
    }

    expect(disagreements).toEqual([]);
    expect(exposed).toBeGreaterThan(CASES / 20);
    expect(exposed).toBeLessThan(CASES / 2 - CASES / 20);
  });
});
