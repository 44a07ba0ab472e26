import {
  GetBucketAclCommand,
  GetBucketCorsCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetBucketTaggingCommand,
  GetBucketWebsiteCommand,
  GetObjectAclCommand,
  GetPublicAccessBlockCommand,
  PutObjectAclCommand,
} from "@aws-sdk/client-s3";
import {
  GetPublicAccessBlockCommand as GetAccountBlockCommand,
  PutPublicAccessBlockCommand as PutAccountBlockCommand,
} from "@aws-sdk/client-s3-control";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { ACCOUNT, config, incident } from "../../../test/remediation/fixtures.js";
import { mockAws, runPlanned } from "../../../test/remediation/mock-aws.js";
import { silentLogger } from "../../log.js";
import { createAwsGateway } from "../aws/gateway.js";
import { removePublicPolicy } from "./s3-policy.js";

const aws = mockAws();
afterAll(() => aws.restore());

const BUCKET = "exposed-bucket";
const ALL_ON = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
const OWNER = { ID: "owner-canonical-id" };
const ownerGrant = { Grantee: { Type: "CanonicalUser" as const, ID: OWNER.ID }, Permission: "FULL_CONTROL" as const };
const logGrant = {
  Grantee: { Type: "Group" as const, URI: "http://acs.amazonaws.com/groups/s3/LogDelivery" },
  Permission: "WRITE" as const,
};
const publicGrant = {
  Grantee: { Type: "Group" as const, URI: "http://acs.amazonaws.com/groups/global/AllUsers" },
  Permission: "READ" as const,
};
const notFound = (name: string) => Object.assign(new Error(name), { name });

const policy = (statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const publicStatement = { Sid: "Public", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" };
const partnerStatement = {
  Sid: "Partner",
  Effect: "Allow",
  Principal: { AWS: "arn:aws:iam::210987654321:root" },
  Action: "s3:GetObject",
  Resource: "*",
};

beforeEach(() => {
  aws.reset();
  aws.s3.on(GetBucketTaggingCommand).rejects(notFound("NoSuchTagSet"));
});

describe("s3-block-public-access", () => {
  const lifted = incident("s3-public-access-block-disabled", { bucket: BUCKET });

  it("puts all four settings and proves them", async () => {
    aws.s3
      .on(GetPublicAccessBlockCommand)
      .resolvesOnce({ PublicAccessBlockConfiguration: { BlockPublicAcls: true } })
      .resolves({ PublicAccessBlockConfiguration: ALL_ON });

    const { applied } = await runPlanned(lifted, config());

    expect(aws.inputs("PutPublicAccessBlockCommand")).toEqual([
      { Bucket: BUCKET, PublicAccessBlockConfiguration: ALL_ON },
    ]);
    expect(applied).toMatchObject({
      outcome: "applied",
      before: { state: { config: { BlockPublicAcls: true } } },
      after: { state: { config: ALL_ON } },
    });
  });

  it("treats a missing configuration as nothing blocked", async () => {
    aws.s3.on(GetPublicAccessBlockCommand).rejects(notFound("NoSuchPublicAccessBlockConfiguration"));

    await runPlanned(lifted, config());

    expect(aws.inputs("PutPublicAccessBlockCommand")).toHaveLength(1);
  });

  it("is already done when all four are on", async () => {
    aws.s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: ALL_ON });

    const { applied } = await runPlanned(lifted, config());

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("PutPublicAccessBlockCommand")).toEqual([]);
  });

  it("puts the account-level block through S3 Control for the incident's account", async () => {
    aws.s3control.on(GetAccountBlockCommand).rejects(notFound("NoSuchPublicAccessBlockConfiguration"));
    aws.s3control.on(PutAccountBlockCommand).resolves({});

    const { applied } = await runPlanned(
      incident("s3-public-access-block-disabled", { bucket: BUCKET, accountLevel: true }),
      config(),
      { approved: true },
    );

    expect(aws.inputs("PutPublicAccessBlockCommand")).toEqual([
      { AccountId: ACCOUNT, PublicAccessBlockConfiguration: ALL_ON },
    ]);
    expect(applied).toMatchObject({ action: "s3-account-block-public-access", destructive: true });
  });

  it("is already done when the account already blocks all four", async () => {
    aws.s3control.on(GetAccountBlockCommand).resolves({ PublicAccessBlockConfiguration: ALL_ON });

    const { applied } = await runPlanned(
      incident("s3-public-access-block-disabled", { bucket: BUCKET, accountLevel: true }),
      config(),
      { approved: true },
    );

    expect(applied).toMatchObject({ action: "s3-account-block-public-access", outcome: "already-done" });
    expect(aws.inputs("PutPublicAccessBlockCommand")).toEqual([]);
  });
});

describe("s3-remove-public-policy", () => {
  it("keeps every statement but the public one", async () => {
    const current = policy([publicStatement, partnerStatement]);
    aws.s3.on(GetBucketPolicyCommand).resolves({ Policy: current });

    await runPlanned(incident("s3-bucket-policy-public", { bucket: BUCKET, policy: current }), config());

    const [put] = aws.inputs("PutBucketPolicyCommand") as { Bucket: string; Policy: string }[];
    expect(put?.Bucket).toBe(BUCKET);
    expect(JSON.parse(put?.Policy ?? "{}").Statement).toEqual([partnerStatement]);
  });

  it("reads the policy the event set whether the facts hold it as text or as CloudTrail's object", async () => {
    const current = { Version: "2012-10-17", Statement: [publicStatement, partnerStatement] };

    const { planned } = await runPlanned(
      incident("s3-bucket-policy-public", { bucket: BUCKET, policy: current }),
      config(),
      { mode: "dry-run" },
    );

    expect(JSON.parse(planned.calls[0]?.params.Policy as string).Statement).toEqual([partnerStatement]);
  });

  it("restores the last known good policy instead of deleting when nothing else remains", async () => {
    const current = policy([publicStatement]);
    const previous = policy([partnerStatement]);
    aws.s3.on(GetBucketPolicyCommand).resolves({ Policy: current });

    await runPlanned(
      incident("s3-bucket-policy-public", { bucket: BUCKET, policy: current, previousPolicy: previous }),
      config(),
    );

    expect(aws.inputs("PutBucketPolicyCommand")).toEqual([{ Bucket: BUCKET, Policy: previous }]);
    expect(aws.inputs("DeleteBucketPolicyCommand")).toEqual([]);
  });

  it("deletes a policy that was only public", async () => {
    aws.s3.on(GetBucketPolicyCommand).resolves({ Policy: policy([publicStatement]) });

    await runPlanned(
      incident("s3-bucket-policy-public", { bucket: BUCKET, policy: policy([publicStatement]) }),
      config(),
    );

    expect(aws.inputs("DeleteBucketPolicyCommand")).toEqual([{ Bucket: BUCKET }]);
  });

  it("leaves a policy pinned to a VPC endpoint alone", async () => {
    const pinned = policy([{ ...publicStatement, Condition: { StringEquals: { "aws:SourceVpce": "vpce-1a2b3c4d" } } }]);
    aws.s3.on(GetBucketPolicyCommand).resolves({ Policy: pinned });

    const { applied } = await runPlanned(
      incident("s3-bucket-policy-public", { bucket: BUCKET, policy: pinned }),
      config(),
    );

    expect(applied.outcome).toBe("already-done");
  });

  it("fails verification while S3 still reports the policy public", async () => {
    aws.s3.on(GetBucketPolicyCommand).resolves({ Policy: policy([partnerStatement]) });
    aws.s3.on(GetBucketPolicyStatusCommand).resolves({ PolicyStatus: { IsPublic: true } });

    const checks = await removePublicPolicy.verify({
      config: config(),
      now: new Date(),
      incident: incident("s3-bucket-policy-public", { bucket: BUCKET }),
      target: { bucket: BUCKET, restoreIfMissing: false },
      aws: createAwsGateway({ aws: {}, region: "us-east-1", logger: silentLogger }),
      logger: silentLogger,
    });

    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      ["no public statement in the bucket policy", true],
      ["S3 policy status not public", false],
    ]);
  });

  it("does not count a missing policy status as proof either way", async () => {
    aws.s3.on(GetBucketPolicyCommand).resolves({ Policy: policy([publicStatement]) });
    aws.s3.on(GetBucketPolicyStatusCommand).resolves({});

    const checks = await removePublicPolicy.verify({
      config: config(),
      now: new Date(),
      incident: incident("s3-bucket-policy-public", { bucket: BUCKET }),
      target: { bucket: BUCKET, restoreIfMissing: false },
      aws: createAwsGateway({ aws: {}, region: "us-east-1", logger: silentLogger }),
      logger: silentLogger,
    });

    expect(checks[0]?.ok).toBe(false);
    expect(checks[1]).toMatchObject({ ok: true, detail: "S3 reported no policy status" });
  });
});

describe("s3 ACL actions", () => {
  it("puts the bucket ACL back without the public grant, keeping owner and log delivery", async () => {
    aws.s3.on(GetBucketAclCommand).resolves({ Owner: OWNER, Grants: [ownerGrant, logGrant, publicGrant] });

    await runPlanned(incident("s3-bucket-acl-public", { bucket: BUCKET, acl: "public-read" }), config());

    expect(aws.inputs("PutBucketAclCommand")).toEqual([
      { Bucket: BUCKET, AccessControlPolicy: { Owner: OWNER, Grants: [ownerGrant, logGrant] } },
    ]);
  });

  it("is already done when the bucket ACL has no public grant", async () => {
    aws.s3.on(GetBucketAclCommand).resolves({ Owner: OWNER, Grants: [ownerGrant, logGrant] });

    const { applied } = await runPlanned(
      incident("s3-bucket-acl-public", { bucket: BUCKET, acl: "public-read" }),
      config(),
    );

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("PutBucketAclCommand")).toEqual([]);
  });

  it("is already done when the object ACL has no public grant", async () => {
    aws.s3.on(GetObjectAclCommand).resolves({ Owner: OWNER, Grants: [ownerGrant] });

    const { applied } = await runPlanned(
      incident("s3-object-acl-public", { bucket: BUCKET, key: "a/b.txt" }),
      config(),
    );

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("PutObjectAclCommand")).toEqual([]);
  });

  it("records the object ACL call with a live marker in dry-run", async () => {
    const { applied } = await runPlanned(
      incident("s3-object-acl-public", { bucket: BUCKET, key: "a/b.txt" }),
      config(),
      { mode: "dry-run" },
    );

    expect(aws.sent()).toEqual([]);
    expect(applied.calls).toEqual([
      {
        service: "s3",
        operation: "PutObjectAcl",
        params: {
          Bucket: BUCKET,
          Key: "a/b.txt",
          AccessControlPolicy: { $live: expect.stringContaining("GetObjectAcl") },
        },
        region: "us-east-1",
      },
    ]);
  });

  it("makes a public object private and counts a deleted object as gone", async () => {
    aws.s3.on(GetObjectAclCommand).resolvesOnce({ Owner: OWNER, Grants: [ownerGrant, publicGrant] });
    aws.s3.on(PutObjectAclCommand).resolves({});
    const objectIncident = incident("s3-object-acl-public", { bucket: BUCKET, key: "a/b.txt" });

    const first = await runPlanned(objectIncident, config());
    aws.s3.on(GetObjectAclCommand).rejects(notFound("NoSuchKey"));
    const second = await runPlanned(objectIncident, config());

    expect(aws.inputs("PutObjectAclCommand")).toEqual([
      { Bucket: BUCKET, Key: "a/b.txt", AccessControlPolicy: { Owner: OWNER, Grants: [ownerGrant] } },
    ]);
    expect([first.applied.outcome, second.applied.outcome]).toEqual(["applied", "gone"]);
  });
});

describe("s3-delete-website and s3-restrict-cors", () => {
  it("deletes the website configuration, keeping it in the before-snapshot", async () => {
    aws.s3
      .on(GetBucketWebsiteCommand)
      .resolvesOnce({ IndexDocument: { Suffix: "index.html" } })
      .rejects(notFound("NoSuchWebsiteConfiguration"));

    const { applied } = await runPlanned(incident("s3-website-enabled", { bucket: BUCKET }), config());

    expect(aws.inputs("DeleteBucketWebsiteCommand")).toEqual([{ Bucket: BUCKET }]);
    expect(applied.before).toMatchObject({ state: { website: { IndexDocument: { Suffix: "index.html" } } } });
    expect(applied.after).toEqual({ source: "live", state: {}, tags: [{}] });
  });

  it("is already done without a website configuration", async () => {
    aws.s3.on(GetBucketWebsiteCommand).rejects(notFound("NoSuchWebsiteConfiguration"));

    const { applied } = await runPlanned(incident("s3-website-enabled", { bucket: BUCKET }), config());

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("DeleteBucketWebsiteCommand")).toEqual([]);
  });

  it("removes the rule allowing every origin and keeps the others", async () => {
    const open = { AllowedOrigins: ["*"], AllowedMethods: ["GET"] };
    const app = { AllowedOrigins: ["https://app.example.com"], AllowedMethods: ["GET", "PUT"], MaxAgeSeconds: 300 };
    aws.s3.on(GetBucketCorsCommand).resolves({ CORSRules: [open, app] });

    await runPlanned(incident("s3-cors-permissive", { bucket: BUCKET }), config());

    expect(aws.inputs("PutBucketCorsCommand")).toEqual([{ Bucket: BUCKET, CORSConfiguration: { CORSRules: [app] } }]);
  });

  it("deletes the CORS configuration when only permissive rules were there", async () => {
    aws.s3
      .on(GetBucketCorsCommand)
      .resolves({ CORSRules: [{ AllowedOrigins: ["https://*"], AllowedMethods: ["GET"] }] });

    await runPlanned(incident("s3-cors-permissive", { bucket: BUCKET }), config());

    expect(aws.inputs("DeleteBucketCorsCommand")).toEqual([{ Bucket: BUCKET }]);
    expect(aws.inputs("PutBucketCorsCommand")).toEqual([]);
  });

  it("is already done when no CORS rule allows every origin, or there is no CORS configuration", async () => {
    const app = { AllowedOrigins: ["https://app.example.com"], AllowedMethods: ["GET"] };
    aws.s3
      .on(GetBucketCorsCommand)
      .resolvesOnce({ CORSRules: [app] })
      .rejects(notFound("NoSuchCORSConfiguration"));
    const permissive = incident("s3-cors-permissive", { bucket: BUCKET });

    const restricted = await runPlanned(permissive, config());
    const none = await runPlanned(permissive, config());

    expect([restricted.applied.outcome, none.applied.outcome]).toEqual(["already-done", "already-done"]);
    expect(aws.inputs("PutBucketCorsCommand")).toEqual([]);
    expect(aws.inputs("DeleteBucketCorsCommand")).toEqual([]);
  });
});
