import { CreateBucketCommand, GetBucketWebsiteCommand, PutBucketWebsiteCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REGION, s3 } from "../fixtures/events/cloudtrail.js";
import { motoSuite } from "../remediation/harness.js";
import { motoAvailable } from "../support/moto.js";
import { now, type ServeLive, SUITE_OPTIONS, startServeLive } from "./serve.js";

/**
 * `riposte serve` in its default mode (dry-run) against moto: the incident API, which the
 * dashboard's incident page reads (decision.plan and actions, rendered by ActionsSection), carries
 * the exact AWS calls the action would send, and the emulated account is left as it was.
 */

const BUCKET = "e2e-dry-run-www";

describe.skipIf(!motoAvailable())(motoSuite("riposte serve (dry-run): the planned calls"), SUITE_OPTIONS, () => {
  let live: ServeLive;
  let client: S3Client;
  const website = { IndexDocument: { Suffix: "index.html" } };

  beforeAll(async () => {
    live = await startServeLive({ mode: "dry-run" });
    client = new S3Client({ ...live.aws(), forcePathStyle: true });
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await client.send(new PutBucketWebsiteCommand({ Bucket: BUCKET, WebsiteConfiguration: website }));
  });
  afterAll(async () => {
    client?.destroy();
    await live?.stop();
  });

  it("shows s3-delete-website's exact DeleteBucketWebsite call and changes nothing", async () => {
    await live.deliver(s3("PutBucketWebsite", BUCKET, { WebsiteConfiguration: website }, { time: now() }));

    const incident = await live.settle("s3-website-enabled", ["MITIGATED", "FAILED", "NOTIFIED", "DISMISSED"]);

    const call = { service: "s3", operation: "DeleteBucketWebsite", params: { Bucket: BUCKET }, region: REGION };
    expect(incident.mode).toBe("dry-run");
    expect(incident.decision?.plan).toMatchObject([{ action: "s3-delete-website", target: BUCKET, calls: [call] }]);
    expect(incident.actions).toMatchObject([
      { action: "s3-delete-website", mode: "dry-run", outcome: "dry-run", calls: [call] },
    ]);
    expect(incident.actions[0]?.calls).toEqual([call]);
    const after = await client.send(new GetBucketWebsiteCommand({ Bucket: BUCKET }));
    expect(after.IndexDocument).toEqual({ Suffix: "index.html" });
  });
});
