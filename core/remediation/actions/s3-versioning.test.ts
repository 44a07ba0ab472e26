import {
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  type GetBucketVersioningCommandOutput,
  PutBucketVersioningCommand,
} from "@aws-sdk/client-s3";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { declaredIncident } from "../../../test/remediation/fixtures.js";
import { mockAws } from "../../../test/remediation/mock-aws.js";
import { awsError, remediateAndVerify, staticPlan } from "../../../test/remediation/run-action.js";

const aws = mockAws();
afterAll(() => aws.restore());
beforeEach(() => {
  aws.reset();
  aws.s3.on(GetBucketTaggingCommand).rejects(awsError("NoSuchTagSet"));
});

const BUCKET = "orders-archive";
const suspended = (facts: Record<string, unknown> = {}) =>
  declaredIncident("s3-versioning-suspended", "storage", {
    eventName: "PutBucketVersioning",
    bucket: BUCKET,
    versioningStatus: "Suspended",
    ...facts,
  });

/** The bucket's versioning read after read (the last one from then on). */
function versioning(
  ...answers: [...Partial<GetBucketVersioningCommandOutput>[], Partial<GetBucketVersioningCommandOutput>]
) {
  const read = aws.s3.on(GetBucketVersioningCommand);
  for (const answer of answers.slice(0, -1)) read.resolvesOnce(answer);
  read.resolves(answers.at(-1) ?? {});
}

describe("s3-enable-versioning: plan", () => {
  it("puts Status Enabled and nothing about MFA delete", () => {
    expect(staticPlan("s3-enable-versioning", suspended())).toMatchObject({
      ok: true,
      planned: {
        target: BUCKET,
        destructive: false,
        description: `Re-enable versioning on bucket ${BUCKET}.`,
        calls: [
          {
            service: "s3",
            operation: "PutBucketVersioning",
            params: { Bucket: BUCKET, VersioningConfiguration: { Status: "Enabled" } },
            region: "us-east-1",
          },
        ],
      },
    });
  });

  it("says that MFA delete, turned off too, is left to people", () => {
    const plan = staticPlan("s3-enable-versioning", suspended({ mfaDelete: "Disabled" }));

    expect(plan).toMatchObject({
      ok: true,
      planned: { description: expect.stringMatching(/MFA delete was turned off: .* root user with its MFA device/) },
    });
  });

  it("does not apply to MFA delete turned off alone", () => {
    const plan = staticPlan("s3-enable-versioning", suspended({ versioningStatus: undefined, mfaDelete: "Disabled" }));

    expect(plan).toEqual({ ok: false, note: expect.stringMatching(/root user with its MFA device; do it by hand/) });
  });

  it.each([
    [{ versioningStatus: "Enabled" }, /show no suspended versioning/],
    [{ versioningStatus: ["Suspended"] }, /show no suspended versioning/],
    [{ bucket: undefined }, /name no bucket/],
    [{ bucket: "Not A Bucket" }, /not a valid S3 bucket name/],
    [{ eventName: "PutBucketReplication" }, /does not undo "PutBucketReplication"/],
  ])("reports %j instead of planning", (facts, reason) => {
    expect(staticPlan("s3-enable-versioning", suspended(facts))).toEqual({
      ok: false,
      note: expect.stringMatching(reason),
    });
  });
});

describe("s3-enable-versioning: live", () => {
  it("re-enables versioning and verifies it reads Enabled", async () => {
    versioning({ Status: "Suspended" }, { Status: "Enabled" });
    aws.s3.on(PutBucketVersioningCommand).resolves({});

    const { applied, verification } = await remediateAndVerify("s3-enable-versioning", suspended());

    expect(aws.inputs("PutBucketVersioningCommand")).toEqual([
      { Bucket: BUCKET, VersioningConfiguration: { Status: "Enabled" } },
    ]);
    expect(applied).toMatchObject({
      outcome: "applied",
      before: { state: { status: "Suspended" } },
      after: { state: { status: "Enabled" } },
    });
    expect(verification.verified).toBe(true);
  });

  it("is already done on a versioned bucket", async () => {
    versioning({ Status: "Enabled", MFADelete: "Disabled" });

    const { applied } = await remediateAndVerify("s3-enable-versioning", suspended());

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("PutBucketVersioningCommand")).toEqual([]);
  });

  it("leaves a bucket tagged as protected alone", async () => {
    versioning({ Status: "Suspended" });
    aws.s3.on(GetBucketTaggingCommand).resolves({ TagSet: [{ Key: "riposte:protect", Value: "true" }] });

    const { applied } = await remediateAndVerify("s3-enable-versioning", suspended());

    expect(applied).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/is protected/) });
    expect(aws.inputs("PutBucketVersioningCommand")).toEqual([]);
  });

  it("does not try without the MFA device when MFA delete is still on", async () => {
    versioning({ Status: "Suspended", MFADelete: "Enabled" });

    const { applied, verification } = await remediateAndVerify("s3-enable-versioning", suspended());

    expect(applied).toMatchObject({
      outcome: "failed",
      error: expect.stringMatching(/takes the root user's MFA device/),
    });
    expect(aws.inputs("PutBucketVersioningCommand")).toEqual([]);
    expect(verification.verified).toBe(false);
  });

  it("reports a deleted bucket as gone, and fails verification", async () => {
    aws.s3.on(GetBucketVersioningCommand).rejects(awsError("NoSuchBucket"));

    const { applied, verification } = await remediateAndVerify("s3-enable-versioning", suspended());

    expect(applied.outcome).toBe("gone");
    expect(verification).toMatchObject({
      verified: false,
      checks: [expect.objectContaining({ detail: expect.stringMatching(/was deleted, with its objects/) })],
    });
  });

  it("fails verification when versioning still reads Suspended after the call", async () => {
    versioning({ Status: "Suspended" });
    aws.s3.on(PutBucketVersioningCommand).resolves({});

    const { applied, verification } = await remediateAndVerify("s3-enable-versioning", suspended());

    expect(applied.outcome).toBe("applied");
    expect(verification).toMatchObject({
      verified: false,
      checks: [expect.objectContaining({ ok: false, detail: "Status: Suspended" })],
    });
  });
});
