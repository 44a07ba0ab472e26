import {
  CreateSecurityGroupCommand,
  DescribeSubnetsCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { CreateBucketCommand, PutBucketTaggingCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { enrichIncident } from "../../core/enrich/enrich.js";
import { type MotoServer, motoAvailable, motoClientConfig, startMoto } from "../support/moto.js";
import { makeDeps, makeIncident } from "./fixtures.js";

/** Live resource enrichment against moto: real SDK calls, real emulated resources. */
describe.skipIf(!motoAvailable())("live resource enrichment (moto)", () => {
  let moto: MotoServer;

  beforeAll(async () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", "testing");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "testing");
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
    vi.unstubAllEnvs();
  });

  const liveDeps = () =>
    makeDeps({
      config: { protection: { tag: { key: "riposte:protect", value: "true" } } },
      overrides: {
        mode: "live",
        aws: { endpoint: moto.endpoint, region: "us-east-1", maxAttempts: 1, forcePathStyle: true },
      },
    });

  it("describes a security group with its tags, interfaces and instances", async () => {
    const ec2 = new EC2Client(motoClientConfig(moto.endpoint));
    const { Subnets } = await ec2.send(new DescribeSubnetsCommand({}));
    const subnet = Subnets?.[0];
    const { GroupId } = await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: "web",
        Description: "web tier",
        VpcId: subnet?.VpcId,
        TagSpecifications: [{ ResourceType: "security-group", Tags: [{ Key: "env", Value: "prod" }] }],
      }),
    );
    const run = await ec2.send(
      new RunInstancesCommand({
        ImageId: "ami-12c6146b",
        MinCount: 1,
        MaxCount: 1,
        SubnetId: subnet?.SubnetId,
        SecurityGroupIds: [GroupId as string],
      }),
    );
    const instanceId = run.Instances?.[0]?.InstanceId;
    const incident = makeIncident({ resource: GroupId as string, facts: { groupId: GroupId } });

    const enrichment = await enrichIncident(incident, liveDeps());

    expect(enrichment.errors).toEqual([]);
    expect(enrichment.resource).toMatchObject({
      type: "security-group",
      id: GroupId,
      tags: { env: "prod" },
      production: true,
      protected: false,
      related: { groupName: "web", vpcId: subnet?.VpcId, instanceIds: [instanceId] },
    });
    expect(enrichment.resource?.related?.networkInterfaceIds).toEqual([expect.stringMatching(/^eni-/)]);
  });

  it("describes a bucket's tags and reports a missing group as gone", async () => {
    const s3 = new S3Client(motoClientConfig(moto.endpoint));
    await s3.send(new CreateBucketCommand({ Bucket: "riposte-data" }));
    await s3.send(
      new PutBucketTaggingCommand({
        Bucket: "riposte-data",
        Tagging: { TagSet: [{ Key: "riposte:protect", Value: "true" }] },
      }),
    );
    const bucket = makeIncident({ category: "storage", resource: "riposte-data", facts: { bucket: "riposte-data" } });
    const gone = makeIncident({ resource: "sg-0123456789abcdef0", facts: { groupId: "sg-0123456789abcdef0" } });

    const bucketEnrichment = await enrichIncident(bucket, liveDeps());
    const goneEnrichment = await enrichIncident(gone, liveDeps());

    expect(bucketEnrichment.resource).toMatchObject({
      type: "s3-bucket",
      tags: { "riposte:protect": "true" },
      protected: true,
    });
    expect(goneEnrichment.resource?.related).toMatchObject({ exists: false });
    expect(goneEnrichment.errors).toEqual([]);
  });
});
