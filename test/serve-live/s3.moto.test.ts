import {
  CreateBucketCommand,
  GetBucketAclCommand,
  GetBucketCorsCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetBucketWebsiteCommand,
  GetObjectAclCommand,
  GetPublicAccessBlockCommand,
  PutBucketAclCommand,
  PutBucketCorsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutBucketWebsiteCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { GetPublicAccessBlockCommand as GetAccountBlockCommand, S3ControlClient } from "@aws-sdk/client-s3-control";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT, publicReadPolicy, record, s3 } from "../fixtures/events/cloudtrail.js";
import { putBucketVersioning } from "../fixtures/events/scenarios/storage-protection.js";
import { motoSuite } from "../remediation/harness.js";
import { motoAvailable } from "../support/moto.js";
import { now, type ServeLive, SUITE_OPTIONS, startServeLive } from "./serve.js";

/**
 * S3 family, end to end: each scenario's change is made in the emulated account, its CloudTrail
 * record (the shapes of test/fixtures/events scenarios, with the emulated buckets) is posted to
 * `riposte serve --remediate live` in one delivery, and each bucket is read back once its
 * incident is MITIGATED.
 */

const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
const XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";
const BUCKETS = {
  block: "e2e-data",
  policy: "e2e-site",
  website: "e2e-www",
  cors: "e2e-assets",
  acl: "e2e-logs",
  object: "e2e-reports",
  versioning: "e2e-backups",
};

describe.skipIf(!motoAvailable())(motoSuite("riposte serve --remediate live: S3 actions"), SUITE_OPTIONS, () => {
  let live: ServeLive;
  let client: S3Client;

  beforeAll(async () => {
    live = await startServeLive();
    client = new S3Client({ ...live.aws(), forcePathStyle: true });
    for (const bucket of Object.values(BUCKETS)) await client.send(new CreateBucketCommand({ Bucket: bucket }));

    // Arrange: each scenario's change, made in the emulated account…
    const policy = publicReadPolicy(BUCKETS.policy);
    await client.send(new PutBucketPolicyCommand({ Bucket: BUCKETS.policy, Policy: JSON.stringify(policy) }));
    const website = { IndexDocument: { Suffix: "index.html" } };
    await client.send(new PutBucketWebsiteCommand({ Bucket: BUCKETS.website, WebsiteConfiguration: website }));
    await client.send(
      new PutBucketCorsCommand({
        Bucket: BUCKETS.cors,
        CORSConfiguration: {
          CORSRules: [
            { AllowedMethods: ["GET", "PUT"], AllowedOrigins: ["*"], AllowedHeaders: ["*"] },
            { AllowedMethods: ["GET"], AllowedOrigins: ["https://app.example.com"] },
          ],
        },
      }),
    );
    await client.send(new PutBucketAclCommand({ Bucket: BUCKETS.acl, ACL: "public-read" }));
    await client.send(new PutObjectCommand({ Bucket: BUCKETS.object, Key: "q1.pdf", Body: "q1", ACL: "public-read" }));
    await client.send(
      new PutBucketVersioningCommand({ Bucket: BUCKETS.versioning, VersioningConfiguration: { Status: "Enabled" } }),
    );
    await client.send(
      new PutBucketVersioningCommand({ Bucket: BUCKETS.versioning, VersioningConfiguration: { Status: "Suspended" } }),
    );

    // …and the records CloudTrail logs for them, in one delivery: the workflows run side by side.
    const time = now();
    await live.deliver(
      s3("DeleteBucketPublicAccessBlock", BUCKETS.block, { publicAccessBlock: "" }, { time }),
      record("s3.amazonaws.com", "DeleteAccountPublicAccessBlock", { accountId: ACCOUNT }, null, { time }),
      s3("PutBucketPolicy", BUCKETS.policy, { bucketPolicy: policy }, { time }),
      s3("PutBucketWebsite", BUCKETS.website, { WebsiteConfiguration: website }, { time }),
      s3(
        "PutBucketCors",
        BUCKETS.cors,
        {
          CORSConfiguration: {
            CORSRule: [
              { AllowedMethod: ["GET", "PUT"], AllowedOrigin: ["*"], AllowedHeader: ["*"] },
              { AllowedMethod: "GET", AllowedOrigin: "https://app.example.com" },
            ],
          },
        },
        { time },
      ),
      s3("PutBucketAcl", BUCKETS.acl, { acl: "", "x-amz-acl": ["public-read"] }, { time }),
      s3("PutObjectAcl", BUCKETS.object, { key: "q1.pdf", acl: "", "x-amz-acl": ["public-read"] }, { time }),
      putBucketVersioning(BUCKETS.versioning, { Status: "Suspended", xmlns: XMLNS }, { time }),
    );
  });
  afterAll(async () => {
    client?.destroy();
    await live?.stop();
  });

  it("s3-public-access-block-disabled → s3-block-public-access turns all four settings on", async () => {
    const incident = await live.settle("s3-public-access-block-disabled", ["MITIGATED", "FAILED"], BUCKETS.block);

    expect(incident).toMatchObject({ status: "MITIGATED", mode: "live" });
    expect(incident.actions).toMatchObject([{ action: "s3-block-public-access", outcome: "applied" }]);
    // The propagation Wait ran (entered and exited), shortened by RIPOSTE_TEST_WAIT_SCALE only.
    const waits = (await live.history(incident.id))
      .filter((event) => event.type === "WaitStateEntered" || event.type === "WaitStateExited")
      .map((event) => `${event.type} ${(event.stateEnteredEventDetails ?? event.stateExitedEventDetails)?.name}`);
    expect(waits).toEqual([
      "WaitStateEntered Wait for the change to take effect",
      "WaitStateExited Wait for the change to take effect",
    ]);
    const block = await client.send(new GetPublicAccessBlockCommand({ Bucket: BUCKETS.block }));
    expect(block.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
  });

  it("s3-public-access-block-disabled (account level) → approved s3-account-block-public-access through S3 Control", async () => {
    // An account-wide change waits for a person: approved through the dashboard's API.
    const waiting = await live.settle("s3-public-access-block-disabled", ["AWAITING_APPROVAL", "FAILED"], ACCOUNT);
    expect(waiting.status).toBe("AWAITING_APPROVAL");
    await live.approve(waiting.id);

    const incident = await live.settle("s3-public-access-block-disabled", ["MITIGATED", "FAILED"], ACCOUNT);

    expect(incident).toMatchObject({ status: "MITIGATED", mode: "live" });
    expect(incident.actions).toMatchObject([{ action: "s3-account-block-public-access", outcome: "applied" }]);
    // The account id is a host prefix for S3 Control: moto answers on its own address.
    const control = new S3ControlClient({
      ...live.aws(),
      endpointProvider: () => ({ url: new URL(live.moto.endpoint) }),
    });
    const block = await control.send(new GetAccountBlockCommand({ AccountId: ACCOUNT }));
    control.destroy();
    expect(block.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
  });

  it("s3-bucket-policy-public → s3-remove-public-policy deletes a policy that was only the public statement", async () => {
    const incident = await live.settle("s3-bucket-policy-public", ["MITIGATED", "FAILED"]);

    expect(incident).toMatchObject({ status: "MITIGATED" });
    expect(incident.actions).toMatchObject([{ action: "s3-remove-public-policy", outcome: "applied" }]);
    await expect(client.send(new GetBucketPolicyCommand({ Bucket: BUCKETS.policy }))).rejects.toMatchObject({
      name: "NoSuchBucketPolicy",
    });
  });

  it("s3-website-enabled → s3-delete-website removes the website configuration", async () => {
    const incident = await live.settle("s3-website-enabled", ["MITIGATED", "FAILED"]);

    expect(incident).toMatchObject({ status: "MITIGATED" });
    expect(incident.actions).toMatchObject([{ action: "s3-delete-website", outcome: "applied" }]);
    await expect(client.send(new GetBucketWebsiteCommand({ Bucket: BUCKETS.website }))).rejects.toMatchObject({
      name: "NoSuchWebsiteConfiguration",
    });
  });

  it("s3-cors-permissive → s3-restrict-cors drops the every-origin rule and keeps the named one", async () => {
    const incident = await live.settle("s3-cors-permissive", ["MITIGATED", "FAILED"]);

    expect(incident).toMatchObject({ status: "MITIGATED" });
    expect(incident.actions).toMatchObject([{ action: "s3-restrict-cors", outcome: "applied" }]);
    const cors = await client.send(new GetBucketCorsCommand({ Bucket: BUCKETS.cors }));
    expect(cors.CORSRules?.map((rule) => rule.AllowedOrigins)).toEqual([["https://app.example.com"]]);
  });

  it("s3-bucket-acl-public → s3-private-acl removes the AllUsers grant", async () => {
    const incident = await live.settle("s3-bucket-acl-public", ["MITIGATED", "FAILED"]);

    expect(incident).toMatchObject({ status: "MITIGATED" });
    expect(incident.actions).toMatchObject([{ action: "s3-private-acl", outcome: "applied" }]);
    const acl = await client.send(new GetBucketAclCommand({ Bucket: BUCKETS.acl }));
    expect(acl.Grants?.map((grant) => grant.Grantee?.URI)).not.toContain(ALL_USERS);
    expect(acl.Grants?.map((grant) => grant.Permission)).toEqual(["FULL_CONTROL"]);
  });

  it("s3-object-acl-public → s3-private-object-acl makes the object private", async () => {
    const incident = await live.settle("s3-object-acl-public", ["MITIGATED", "FAILED"]);

    expect(incident).toMatchObject({ status: "MITIGATED" });
    expect(incident.actions).toMatchObject([{ action: "s3-private-object-acl", outcome: "applied" }]);
    const acl = await client.send(new GetObjectAclCommand({ Bucket: BUCKETS.object, Key: "q1.pdf" }));
    expect(acl.Grants?.map((grant) => grant.Grantee?.URI)).not.toContain(ALL_USERS);
  });

  it("s3-versioning-suspended → s3-enable-versioning turns versioning back on", async () => {
    const incident = await live.settle("s3-versioning-suspended", ["MITIGATED", "FAILED"]);

    expect(incident).toMatchObject({ status: "MITIGATED" });
    expect(incident.actions).toMatchObject([{ action: "s3-enable-versioning", outcome: "applied" }]);
    const versioning = await client.send(new GetBucketVersioningCommand({ Bucket: BUCKETS.versioning }));
    expect(versioning.Status).toBe("Enabled");
  });
});
