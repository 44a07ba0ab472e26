import {
  CreateBucketCommand,
  DeleteBucketCommand,
  GetBucketAclCommand,
  GetBucketCorsCommand,
  GetBucketPolicyCommand,
  GetBucketWebsiteCommand,
  GetObjectAclCommand,
  GetPublicAccessBlockCommand,
  PutBucketAclCommand,
  PutBucketCorsCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketWebsiteCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { GetPublicAccessBlockCommand as GetAccountBlockCommand, S3ControlClient } from "@aws-sdk/client-s3-control";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type MotoServer, motoAvailable, motoClientConfig, startMoto } from "../support/moto.js";
import { ACCOUNT, config, incident, REGION } from "./fixtures.js";
import { motoGateway, motoSuite, runEndToEnd, taskDeps } from "./harness.js";

const BUCKET = "exposed-bucket";
const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";

const publicPolicy = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Sid: "Public", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/*` },
    {
      Sid: "Partner",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::210987654321:root" },
      Action: "s3:GetObject",
      Resource: `arn:aws:s3:::${BUCKET}/*`,
    },
  ],
});

describe.skipIf(!motoAvailable())(motoSuite("S3 actions"), () => {
  let moto: MotoServer;
  let s3: S3Client;
  beforeAll(async () => {
    moto = await startMoto();
    s3 = new S3Client(motoClientConfig(moto.endpoint, REGION));
  });
  beforeEach(async () => {
    await moto.reset();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });
  afterAll(async () => moto?.stop());

  const run = (detection: Parameters<typeof incident>[0], facts: Record<string, unknown>, approvedBy?: string) =>
    runEndToEnd(incident(detection, facts), taskDeps(config()), motoGateway(moto.endpoint), { approvedBy });

  it("turns on all four public access block settings", async () => {
    const result = await run("s3-public-access-block-disabled", { bucket: BUCKET });

    const block = await s3.send(new GetPublicAccessBlockCommand({ Bucket: BUCKET }));
    expect(block.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    expect(result.actions[0]?.outcome).toBe("applied");
    expect(result.verification.verified).toBe(true);
  });

  it("turns on the account-level block through S3 Control", async () => {
    const result = await run("s3-public-access-block-disabled", { bucket: BUCKET, accountLevel: true }, "U0APPROVER");

    const control = new S3ControlClient({
      ...motoClientConfig(moto.endpoint, REGION),
      endpointProvider: () => ({ url: new URL(moto.endpoint) }),
    });
    const block = await control.send(new GetAccountBlockCommand({ AccountId: ACCOUNT }));
    expect(block.PublicAccessBlockConfiguration?.RestrictPublicBuckets).toBe(true);
    expect(result.actions.map((a) => [a.action, a.outcome])).toEqual([["s3-account-block-public-access", "applied"]]);
    expect(result.verification.verified).toBe(true);
  });

  it("removes only the public statement from the bucket policy", async () => {
    await s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: publicPolicy }));

    const result = await run("s3-bucket-policy-public", { bucket: BUCKET, policy: publicPolicy });

    const { Policy } = await s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }));
    expect(JSON.parse(Policy ?? "{}").Statement.map((s: { Sid: string }) => s.Sid)).toEqual(["Partner"]);
    expect(result.actions[0]?.before).toMatchObject({
      source: "live",
      state: { policy: expect.stringContaining('"Public"') },
    });
    expect(result.verification.verified).toBe(true);
  });

  it("deletes a policy that was nothing but public", async () => {
    const onlyPublic = JSON.stringify({
      ...JSON.parse(publicPolicy),
      Statement: [JSON.parse(publicPolicy).Statement[0]],
    });
    await s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: onlyPublic }));

    const result = await run("s3-bucket-policy-public", { bucket: BUCKET, policy: onlyPublic });

    await expect(s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).rejects.toMatchObject({
      name: "NoSuchBucketPolicy",
    });
    expect(result.actions[0]?.calls.map((c) => c.operation)).toEqual(["DeleteBucketPolicy"]);
    expect(result.verification.verified).toBe(true);
  });

  it("removes the AllUsers grant from the bucket ACL and keeps the owner's", async () => {
    await s3.send(new PutBucketAclCommand({ Bucket: BUCKET, ACL: "public-read" }));

    const result = await run("s3-bucket-acl-public", { bucket: BUCKET, acl: "public-read" });

    const acl = await s3.send(new GetBucketAclCommand({ Bucket: BUCKET }));
    expect(acl.Grants?.some((g) => g.Grantee?.URI === ALL_USERS)).toBe(false);
    expect(acl.Grants?.some((g) => g.Permission === "FULL_CONTROL")).toBe(true);
    expect(result.verification.verified).toBe(true);
  });

  it("makes a public object ACL private", async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "reports/q1.csv", Body: "a,b" }));
    await s3.send(new PutObjectAclCommand({ Bucket: BUCKET, Key: "reports/q1.csv", ACL: "public-read" }));

    const result = await run("s3-object-acl-public", { bucket: BUCKET, key: "reports/q1.csv" });

    const acl = await s3.send(new GetObjectAclCommand({ Bucket: BUCKET, Key: "reports/q1.csv" }));
    expect(acl.Grants?.some((g) => g.Grantee?.URI === ALL_USERS)).toBe(false);
    expect(result.verification.verified).toBe(true);
  });

  it("deletes the website configuration and keeps it in the before-snapshot", async () => {
    await s3.send(
      new PutBucketWebsiteCommand({
        Bucket: BUCKET,
        WebsiteConfiguration: { IndexDocument: { Suffix: "index.html" } },
      }),
    );

    const result = await run("s3-website-enabled", { bucket: BUCKET });

    await expect(s3.send(new GetBucketWebsiteCommand({ Bucket: BUCKET }))).rejects.toMatchObject({
      name: "NoSuchWebsiteConfiguration",
    });
    expect(result.actions[0]?.before).toMatchObject({
      state: { website: { IndexDocument: { Suffix: "index.html" } } },
    });
    expect(result.verification.verified).toBe(true);
  });

  it("drops the CORS rule that allows every origin and keeps the others", async () => {
    await s3.send(
      new PutBucketCorsCommand({
        Bucket: BUCKET,
        CORSConfiguration: {
          CORSRules: [
            { AllowedOrigins: ["*"], AllowedMethods: ["GET", "PUT"] },
            { AllowedOrigins: ["https://app.example.com"], AllowedMethods: ["GET"] },
          ],
        },
      }),
    );

    const result = await run("s3-cors-permissive", { bucket: BUCKET });

    const cors = await s3.send(new GetBucketCorsCommand({ Bucket: BUCKET }));
    expect(cors.CORSRules?.map((r) => r.AllowedOrigins)).toEqual([["https://app.example.com"]]);
    expect(result.verification.verified).toBe(true);
  });

  it("restores the previous CORS rules when the facts hold them", async () => {
    await s3.send(
      new PutBucketCorsCommand({
        Bucket: BUCKET,
        CORSConfiguration: { CORSRules: [{ AllowedOrigins: ["*"], AllowedMethods: ["GET"] }] },
      }),
    );
    const previousCors = { CORSRule: [{ AllowedOrigin: ["https://old.example.com"], AllowedMethod: ["GET"] }] };

    await run("s3-cors-permissive", { bucket: BUCKET, previousCors });

    const cors = await s3.send(new GetBucketCorsCommand({ Bucket: BUCKET }));
    expect(cors.CORSRules?.map((r) => r.AllowedOrigins)).toEqual([["https://old.example.com"]]);
  });

  it("leaves a protected bucket alone", async () => {
    await s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: publicPolicy }));
    await s3.send(
      new PutBucketTaggingCommand({ Bucket: BUCKET, Tagging: { TagSet: [{ Key: "riposte:protect", Value: "true" }] } }),
    );

    const result = await run("s3-bucket-policy-public", { bucket: BUCKET, policy: publicPolicy });

    const { Policy } = await s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }));
    expect(JSON.parse(Policy ?? "{}").Statement).toHaveLength(2);
    expect(result.actions[0]?.outcome).toBe("skipped");
  });

  it("counts a deleted bucket as already gone", async () => {
    await s3.send(new DeleteBucketCommand({ Bucket: BUCKET }));

    const result = await run("s3-website-enabled", { bucket: BUCKET });

    expect(result.actions.map((a) => a.outcome)).toEqual(["gone"]);
    expect(result.verification.verified).toBe(true);
  });
});
