import {
  GetTrailCommand,
  GetTrailStatusCommand,
  ListTagsCommand,
  StartLoggingCommand,
} from "@aws-sdk/client-cloudtrail";
import { CreateNetworkAclEntryCommand, DescribeNetworkAclsCommand, type NetworkAclEntry } from "@aws-sdk/client-ec2";
import {
  GetAccessKeyLastUsedCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from "@aws-sdk/client-iam";
import {
  DeleteBucketWebsiteCommand,
  GetBucketAclCommand,
  GetBucketCorsCommand,
  GetBucketTaggingCommand,
  GetBucketWebsiteCommand,
  GetObjectAclCommand,
  GetPublicAccessBlockCommand,
  PutBucketAclCommand,
  PutBucketCorsCommand,
  PutObjectAclCommand,
  PutPublicAccessBlockCommand,
} from "@aws-sdk/client-s3";
import {
  GetPublicAccessBlockCommand as GetAccountBlockCommand,
  PutPublicAccessBlockCommand as PutAccountBlockCommand,
} from "@aws-sdk/client-s3-control";
import { GetIPSetCommand, UpdateIPSetCommand } from "@aws-sdk/client-wafv2";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { config, incident } from "../../../test/remediation/fixtures.js";
import { noSleep, taskDeps } from "../../../test/remediation/harness.js";
import { mockAws, type RunOptions, runPlanned } from "../../../test/remediation/mock-aws.js";
import type { RiposteConfig } from "../../config/schema.js";
import { silentLogger } from "../../log.js";
import type { WorkingIncident } from "../../model/tasks.js";
import { revokeSessionsDocument, temporaryDenyDocument } from "../analysis/iam-policy.js";
import { createAwsGateway } from "../aws/gateway.js";
import { verifyRemediation } from "../verify.js";

/**
 * Verification of every action but revoke-sg-rules and s3-remove-public-policy (their own suites
 * cover them): the action runs live through the runner, then the workflow's Verify entry point
 * (`verifyRemediation`) reads the target again. When the read shows the risk gone, verification
 * passes; when the write was accepted but the risk is still there, it fails and is recorded.
 * Mocked answers follow the AWS API response shapes.
 */

const aws = mockAws();
afterAll(() => aws.restore());

const NOW = new Date("2026-03-02T10:05:00Z");
/** When Verify runs: a minute after the action. */
const VERIFIED_AT = new Date("2026-03-02T10:06:00Z");
const BUCKET = "exposed-bucket";
const notFound = (name: string) => Object.assign(new Error(name), { name });

beforeEach(() => {
  aws.reset();
  aws.s3.on(GetBucketTaggingCommand).rejects(notFound("NoSuchTagSet"));
});

/** Run the incident's planned action live, then Verify it as the workflow does, with a store that holds it. */
async function remediateAndVerify(subject: WorkingIncident, cfg: RiposteConfig = config(), options: RunOptions = {}) {
  const { applied } = await runPlanned(subject, cfg, { now: NOW, ...options });
  const deps = taskDeps(cfg, { now: () => VERIFIED_AT });
  await deps.store.createIncident({ ...subject, evidence: [] });
  const gateway = createAwsGateway({
    aws: { maxAttempts: 1 },
    region: subject.region,
    logger: silentLogger,
    clientConfig: { credentials: { accessKeyId: "test", secretAccessKey: "test" } },
    sleep: noSleep,
  });
  const verification = await verifyRemediation({ incident: subject, actions: [applied] }, deps, {
    gateway,
    sleep: noSleep,
  });
  const stored = await deps.store.getIncident(subject.id);
  const audit = (await deps.store.listAudit(subject.id)).map((entry) => entry.action);
  return { applied, verification, stored, audit };
}

type Run = Awaited<ReturnType<typeof remediateAndVerify>>;

function expectPassed(run: Run) {
  expect(run.applied.outcome).toBe("applied");
  expect(run.verification.verified).toBe(true);
  expect(run.verification.checks.length).toBeGreaterThan(0);
  expect(run.audit).toEqual(["verification.passed"]);
}

/** The write went through but the read-back still shows the risk: verification fails and is recorded. */
function expectFailed(run: Run, checks: [string, boolean][]) {
  expect(run.applied.outcome).toBe("applied");
  expect(run.verification.verified).toBe(false);
  const prefix = `${run.applied.action} ${run.applied.target}: `;
  expect(run.verification.checks.map((c) => [c.name, c.ok])).toEqual(
    checks.map(([name, ok]) => [`${prefix}${name}`, ok]),
  );
  expect(run.stored?.verification).toEqual(run.verification);
  expect(run.audit).toEqual(["verification.failed"]);
}

describe("verify s3-block-public-access and s3-account-block-public-access", () => {
  const ALL_OFF = {
    BlockPublicAcls: false,
    IgnorePublicAcls: false,
    BlockPublicPolicy: false,
    RestrictPublicBuckets: false,
  };
  const ALL_ON = {
    BlockPublicAcls: true,
    IgnorePublicAcls: true,
    BlockPublicPolicy: true,
    RestrictPublicBuckets: true,
  };
  const bucketLevel = incident("s3-public-access-block-disabled", { bucket: BUCKET });
  const accountLevel = incident("s3-public-access-block-disabled", { bucket: BUCKET, accountLevel: true });

  it("passes once the bucket reads all four settings on", async () => {
    aws.s3
      .on(GetPublicAccessBlockCommand)
      .resolvesOnce({ PublicAccessBlockConfiguration: ALL_OFF })
      .resolves({ PublicAccessBlockConfiguration: ALL_ON });
    aws.s3.on(PutPublicAccessBlockCommand).resolves({});

    const run = await remediateAndVerify(bucketLevel);

    expectPassed(run);
    expect(run.verification.checks[0]?.detail).toBe("all four settings on");
  });

  it("fails while the bucket still reads a setting off", async () => {
    aws.s3
      .on(GetPublicAccessBlockCommand)
      .resolves({ PublicAccessBlockConfiguration: { ...ALL_ON, RestrictPublicBuckets: false } });
    aws.s3.on(PutPublicAccessBlockCommand).resolves({});

    const run = await remediateAndVerify(bucketLevel);

    expectFailed(run, [["bucket public access block on", false]]);
    expect(run.verification.checks[0]?.detail).toBe("off: RestrictPublicBuckets");
  });

  it("passes once the account reads all four settings on", async () => {
    aws.s3control
      .on(GetAccountBlockCommand)
      .rejectsOnce(notFound("NoSuchPublicAccessBlockConfiguration"))
      .resolves({ PublicAccessBlockConfiguration: ALL_ON });
    aws.s3control.on(PutAccountBlockCommand).resolves({});

    const run = await remediateAndVerify(accountLevel, config(), { approved: true });

    expect(run.applied.action).toBe("s3-account-block-public-access");
    expectPassed(run);
  });

  it("fails while the account still has no public access block", async () => {
    aws.s3control.on(GetAccountBlockCommand).rejects(notFound("NoSuchPublicAccessBlockConfiguration"));
    aws.s3control.on(PutAccountBlockCommand).resolves({});

    const run = await remediateAndVerify(accountLevel, config(), { approved: true });

    expectFailed(run, [["account public access block on", false]]);
    expect(run.verification.checks[0]?.detail).toBe(
      "off: BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets",
    );
  });
});

describe("verify s3-private-acl and s3-private-object-acl", () => {
  const owner = { DisplayName: "owner", ID: "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be" };
  const ownerGrant = {
    Grantee: { Type: "CanonicalUser" as const, ID: owner.ID, DisplayName: owner.DisplayName },
    Permission: "FULL_CONTROL" as const,
  };
  const allUsersRead = {
    Grantee: { Type: "Group" as const, URI: "http://acs.amazonaws.com/groups/global/AllUsers" },
    Permission: "READ" as const,
  };
  const authenticatedRead = {
    Grantee: { Type: "Group" as const, URI: "http://acs.amazonaws.com/groups/global/AuthenticatedUsers" },
    Permission: "READ" as const,
  };
  const bucketAcl = incident("s3-bucket-acl-public", { bucket: BUCKET, acl: "public-read" });
  const objectAcl = incident("s3-object-acl-public", { bucket: BUCKET, key: "reports/q1.csv" });

  it("passes once the bucket ACL reads without public grants", async () => {
    aws.s3
      .on(GetBucketAclCommand)
      .resolvesOnce({ Owner: owner, Grants: [ownerGrant, allUsersRead] })
      .resolves({ Owner: owner, Grants: [ownerGrant] });
    aws.s3.on(PutBucketAclCommand).resolves({});

    const run = await remediateAndVerify(bucketAcl);

    expectPassed(run);
    expect(run.verification.checks[0]?.detail).toBe("1 grants, none public");
  });

  it("fails while the bucket ACL still grants AllUsers", async () => {
    aws.s3.on(GetBucketAclCommand).resolves({ Owner: owner, Grants: [ownerGrant, allUsersRead] });
    aws.s3.on(PutBucketAclCommand).resolves({});

    const run = await remediateAndVerify(bucketAcl);

    expectFailed(run, [["no grant to AllUsers or AuthenticatedUsers", false]]);
    expect(run.verification.checks[0]?.detail).toBe("public: READ to http://acs.amazonaws.com/groups/global/AllUsers");
  });

  it("passes once the object ACL reads without public grants", async () => {
    aws.s3
      .on(GetObjectAclCommand)
      .resolvesOnce({ Owner: owner, Grants: [ownerGrant, authenticatedRead] })
      .resolves({ Owner: owner, Grants: [ownerGrant] });
    aws.s3.on(PutObjectAclCommand).resolves({});

    const run = await remediateAndVerify(objectAcl);

    expectPassed(run);
  });

  it("fails while the object ACL still grants AuthenticatedUsers", async () => {
    aws.s3.on(GetObjectAclCommand).resolves({ Owner: owner, Grants: [ownerGrant, authenticatedRead] });
    aws.s3.on(PutObjectAclCommand).resolves({});

    const run = await remediateAndVerify(objectAcl);

    expectFailed(run, [["no grant to AllUsers or AuthenticatedUsers", false]]);
  });
});

describe("verify s3-delete-website and s3-restrict-cors", () => {
  const website = {
    IndexDocument: { Suffix: "index.html" },
    ErrorDocument: { Key: "error.html" },
  };
  const open = { ID: "open", AllowedOrigins: ["*"], AllowedMethods: ["GET", "HEAD"], AllowedHeaders: ["*"] };
  const app = {
    ID: "app",
    AllowedOrigins: ["https://app.example.com"],
    AllowedMethods: ["GET", "PUT"],
    ExposeHeaders: ["ETag"],
    MaxAgeSeconds: 3000,
  };
  const websiteOn = incident("s3-website-enabled", { bucket: BUCKET });
  const corsOpen = incident("s3-cors-permissive", { bucket: BUCKET });

  it("passes once the bucket has no website configuration", async () => {
    aws.s3.on(GetBucketWebsiteCommand).resolvesOnce(website).rejects(notFound("NoSuchWebsiteConfiguration"));
    aws.s3.on(DeleteBucketWebsiteCommand).resolves({});

    expectPassed(await remediateAndVerify(websiteOn));
  });

  it("fails while the website configuration is still there", async () => {
    aws.s3.on(GetBucketWebsiteCommand).resolves(website);
    aws.s3.on(DeleteBucketWebsiteCommand).resolves({});

    expectFailed(await remediateAndVerify(websiteOn), [["no website configuration", false]]);
  });

  it("passes once no CORS rule allows every origin", async () => {
    aws.s3
      .on(GetBucketCorsCommand)
      .resolvesOnce({ CORSRules: [open, app] })
      .resolves({ CORSRules: [app] });
    aws.s3.on(PutBucketCorsCommand).resolves({});

    const run = await remediateAndVerify(corsOpen);

    expectPassed(run);
    expect(run.verification.checks[0]?.detail).toBe("1 rules, 0 allowing every origin");
  });

  it("fails while a CORS rule still allows every origin", async () => {
    aws.s3.on(GetBucketCorsCommand).resolves({ CORSRules: [open, app] });
    aws.s3.on(PutBucketCorsCommand).resolves({});

    const run = await remediateAndVerify(corsOpen);

    expectFailed(run, [["no CORS rule allows every origin", false]]);
    expect(run.verification.checks[0]?.detail).toBe("2 rules, 1 allowing every origin");
  });
});

describe("verify iam-deny-temporarily, iam-revoke-sessions and iam-deactivate-access-key", () => {
  const KEY = "AKIAIOSFODNN7EXAMPLE";
  const user = {
    User: {
      Path: "/",
      UserName: "alice",
      UserId: "AIDACKCEVSQ6C2EXAMPLE",
      Arn: "arn:aws:iam::123456789012:user/alice",
      CreateDate: new Date("2025-01-01T00:00:00Z"),
    },
  };
  const role = {
    Role: {
      Path: "/",
      RoleName: "app-role",
      RoleId: "AROADBQP57FF2AEXAMPLE",
      Arn: "arn:aws:iam::123456789012:role/app-role",
      CreateDate: new Date("2025-01-01T00:00:00Z"),
      AssumeRolePolicyDocument: encodeURIComponent('{"Version":"2012-10-17","Statement":[]}'),
    },
  };
  // IAM returns inline policy documents URL-encoded (RFC 3986).
  const denyPolicy = (until: Date) => ({
    UserName: "alice",
    PolicyName: "riposte-temporary-deny",
    PolicyDocument: encodeURIComponent(temporaryDenyDocument(until)),
  });
  const revokePolicy = (before: Date) => ({
    RoleName: "app-role",
    PolicyName: "riposte-revoke-older-sessions",
    PolicyDocument: encodeURIComponent(revokeSessionsDocument(before)),
  });
  const noSuchEntity = () => notFound("NoSuchEntityException");
  const keyOf = (Status: "Active" | "Inactive") => ({
    AccessKeyMetadata: [{ UserName: "alice", AccessKeyId: KEY, Status, CreateDate: new Date("2025-06-01T00:00:00Z") }],
    IsTruncated: false,
  });
  const bruteForce = incident("console-login-brute-force", { principalType: "IAMUser", userName: "alice" });
  const travel = incident("impossible-travel", {
    principalType: "AssumedRole",
    principalArn: "arn:aws:sts::123456789012:assumed-role/app-role/i-0abc",
  });
  const keyMisuse = incident("access-key-anomalous-use", {
    principalType: "IAMUser",
    userName: "alice",
    accessKeyId: KEY,
  });

  it("passes while the temporary deny reads back in force", async () => {
    aws.iam.on(GetUserCommand).resolves(user);
    aws.iam
      .on(GetUserPolicyCommand)
      .rejectsOnce(noSuchEntity())
      .resolves(denyPolicy(new Date("2026-03-02T10:35:00Z")));
    aws.iam.on(PutUserPolicyCommand).resolves({});

    const run = await remediateAndVerify(bruteForce);

    expectPassed(run);
    expect(run.verification.checks[0]?.detail).toBe("denies everything until 2026-03-02T10:35:00Z");
  });

  it("fails when the temporary deny policy is not on the user after the put", async () => {
    aws.iam.on(GetUserCommand).resolves(user);
    aws.iam.on(GetUserPolicyCommand).rejects(noSuchEntity());
    aws.iam.on(PutUserPolicyCommand).resolves({});

    const run = await remediateAndVerify(bruteForce);

    expectFailed(run, [["temporary deny riposte-temporary-deny in force", false]]);
    expect(run.verification.checks[0]?.detail).toBe("no temporary deny policy on the user");
  });

  it("passes once the role's revocation covers the incident", async () => {
    aws.iam.on(GetRoleCommand).resolves(role);
    aws.iam.on(GetRolePolicyCommand).rejectsOnce(noSuchEntity()).resolves(revokePolicy(NOW));
    aws.iam.on(PutRolePolicyCommand).resolves({});

    const run = await remediateAndVerify(travel, config(), { approved: true });

    expectPassed(run);
  });

  it("fails while the role's revocation still predates the incident", async () => {
    aws.iam.on(GetRoleCommand).resolves(role);
    aws.iam.on(GetRolePolicyCommand).resolves(revokePolicy(new Date("2026-03-01T09:00:00Z")));
    aws.iam.on(PutRolePolicyCommand).resolves({});

    const run = await remediateAndVerify(travel, config(), { approved: true });

    expectFailed(run, [["sessions issued before the incident revoked (riposte-revoke-older-sessions)", false]]);
    expect(run.verification.checks[0]?.detail).toBe("denies credentials issued before 2026-03-01T09:00:00Z");
  });

  it("passes once the key reads Inactive", async () => {
    aws.iam.on(GetAccessKeyLastUsedCommand).resolves({
      UserName: "alice",
      AccessKeyLastUsed: { LastUsedDate: new Date("2026-03-02T09:59:00Z"), ServiceName: "s3", Region: "us-east-1" },
    });
    aws.iam.on(ListAccessKeysCommand).resolvesOnce(keyOf("Active")).resolves(keyOf("Inactive"));
    aws.iam.on(GetUserCommand).resolves(user);
    aws.iam.on(UpdateAccessKeyCommand).resolves({});

    const run = await remediateAndVerify(keyMisuse, config(), { approved: true });

    expectPassed(run);
    expect(run.verification.checks[0]?.detail).toBe(`${KEY} of alice: Inactive`);
  });

  it("fails while the key still reads Active", async () => {
    aws.iam.on(GetAccessKeyLastUsedCommand).resolves({
      UserName: "alice",
      AccessKeyLastUsed: { LastUsedDate: new Date("2026-03-02T09:59:00Z"), ServiceName: "s3", Region: "us-east-1" },
    });
    aws.iam.on(ListAccessKeysCommand).resolves(keyOf("Active"));
    aws.iam.on(GetUserCommand).resolves(user);
    aws.iam.on(UpdateAccessKeyCommand).resolves({});

    const run = await remediateAndVerify(keyMisuse, config(), { approved: true });

    expectFailed(run, [["access key inactive", false]]);
    expect(run.verification.checks[0]?.detail).toBe(`${KEY} of alice: Active`);
  });
});

describe("verify cloudtrail-start-logging", () => {
  const arn = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/org-trail";
  const stopped = incident("cloudtrail-tampering", { eventName: "StopLogging", trailName: arn });
  const trail = {
    Trail: {
      Name: "org-trail",
      S3BucketName: "org-trail-logs",
      IncludeGlobalServiceEvents: true,
      IsMultiRegionTrail: true,
      HomeRegion: "eu-west-1",
      TrailARN: arn,
      LogFileValidationEnabled: true,
      HasCustomEventSelectors: false,
      HasInsightSelectors: false,
      IsOrganizationTrail: false,
    },
  };
  const status = (IsLogging: boolean) => ({
    IsLogging,
    LatestDeliveryTime: new Date("2026-03-02T09:50:00Z"),
    StopLoggingTime: new Date("2026-03-02T09:58:00Z"),
    ...(IsLogging ? { StartLoggingTime: new Date("2026-03-02T10:05:00Z") } : {}),
  });

  beforeEach(() => {
    aws.cloudtrail.on(GetTrailCommand).resolves(trail);
    aws.cloudtrail.on(ListTagsCommand).resolves({ ResourceTagList: [{ ResourceId: arn, TagsList: [] }] });
    aws.cloudtrail.on(StartLoggingCommand).resolves({});
  });

  it("passes once the trail reads IsLogging true", async () => {
    aws.cloudtrail.on(GetTrailStatusCommand).resolvesOnce(status(false)).resolves(status(true));

    expectPassed(await remediateAndVerify(stopped));
  });

  it("fails while the trail still reads IsLogging false", async () => {
    aws.cloudtrail.on(GetTrailStatusCommand).resolves(status(false));

    const run = await remediateAndVerify(stopped);

    expectFailed(run, [["trail org-trail is logging", false]]);
    expect(run.verification.checks[0]?.detail).toBe("IsLogging: false");
  });
});

describe("verify waf-block-ip and nacl-deny-ip", () => {
  const scanning = incident("web-scanning", { clientIp: "203.0.113.7" });
  const wafConfig = config({ remediation: { wafIpSet: { name: "scanners", id: "set-1", scope: "REGIONAL" } } });
  const ipSet = (Addresses: string[], LockToken: string) => ({
    IPSet: {
      Name: "scanners",
      Id: "set-1",
      ARN: "arn:aws:wafv2:us-east-1:123456789012:regional/ipset/scanners/set-1",
      Description: "blocked by Riposte",
      IPAddressVersion: "IPV4" as const,
      Addresses,
    },
    LockToken,
  });
  const aclId = "acl-0123456789abcdef0";
  const aclConfig = config({ remediation: { networkAcl: { id: aclId, ruleNumbers: { first: 10, last: 12 } } } });
  // A default network ACL: allow all at 100, the catch-all deny at *, in and out.
  const defaults: NetworkAclEntry[] = [false, true].flatMap((Egress) => [
    { RuleNumber: 100, Protocol: "-1", RuleAction: "allow" as const, Egress, CidrBlock: "0.0.0.0/0" },
    { RuleNumber: 32767, Protocol: "-1", RuleAction: "deny" as const, Egress, CidrBlock: "0.0.0.0/0" },
  ]);
  const acl = (Entries: NetworkAclEntry[]) => ({
    NetworkAcls: [
      {
        NetworkAclId: aclId,
        VpcId: "vpc-0a1b2c3d4e5f67890",
        IsDefault: true,
        OwnerId: "123456789012",
        Associations: [],
        Tags: [],
        Entries,
      },
    ],
  });
  const denyEntry: NetworkAclEntry = {
    RuleNumber: 10,
    Protocol: "-1",
    RuleAction: "deny",
    Egress: false,
    CidrBlock: "203.0.113.7/32",
  };

  it("passes once the IP set holds the address", async () => {
    aws.wafv2
      .on(GetIPSetCommand)
      .resolvesOnce(ipSet(["198.51.100.0/24"], "token-1"))
      .resolves(ipSet(["198.51.100.0/24", "203.0.113.7/32"], "token-2"));
    aws.wafv2.on(UpdateIPSetCommand).resolves({ NextLockToken: "token-2" });

    expectPassed(await remediateAndVerify(scanning, wafConfig));
  });

  it("fails while the IP set still lacks the address", async () => {
    aws.wafv2.on(GetIPSetCommand).resolves(ipSet(["198.51.100.0/24"], "token-1"));
    aws.wafv2.on(UpdateIPSetCommand).resolves({ NextLockToken: "token-2" });

    expectFailed(await remediateAndVerify(scanning, wafConfig), [["203.0.113.7/32 in WAF IP set scanners", false]]);
  });

  it("passes once the network ACL holds the deny entry ahead of the allows", async () => {
    aws.ec2
      .on(DescribeNetworkAclsCommand)
      .resolvesOnce(acl(defaults))
      .resolves(acl([denyEntry, ...defaults]));
    aws.ec2.on(CreateNetworkAclEntryCommand).resolves({});

    const run = await remediateAndVerify(scanning, aclConfig);

    expectPassed(run);
    expect(run.verification.checks.map((c) => c.ok)).toEqual([true, true]);
    expect(run.verification.checks[0]?.detail).toBe("rule 10");
  });

  it("fails while the network ACL still has no deny entry for the address", async () => {
    aws.ec2.on(DescribeNetworkAclsCommand).resolves(acl(defaults));
    aws.ec2.on(CreateNetworkAclEntryCommand).resolves({});

    expectFailed(await remediateAndVerify(scanning, aclConfig), [
      ["deny entry for 203.0.113.7/32", false],
      ["no allow entry for the address is evaluated first", false],
    ]);
  });
});
