import { describe, expect, it } from "vitest";
import { identity, record } from "../../../test/fixtures/events/cloudtrail.js";
import { putBucketVersioning } from "../../../test/fixtures/events/scenarios/storage-protection.js";
import { parseConfig } from "../../config/load.js";
import { normalizeRecords } from "../../events/index.js";
import { getDetection } from "../catalog.js";

const config = parseConfig({});
const detection = getDetection("s3-versioning-suspended");
const evaluate = (event: unknown) => {
  if (detection.stateful) throw new Error("s3-versioning-suspended is stateless");
  return detection.evaluate(normalizeRecords(event).events[0]!.envelope, config);
};

describe("s3-versioning-suspended facts (what a response action reads)", () => {
  it("says exactly which protection went: versioning, MFA delete, or both", () => {
    const suspended = evaluate(putBucketVersioning("backups", { Status: "Suspended" }));
    const mfaOff = evaluate(
      putBucketVersioning("backups", { Status: "Enabled", MfaDelete: "Disabled" }, { user: identity.root() }),
    );
    const both = evaluate(putBucketVersioning("backups", { Status: "Suspended", MfaDelete: "Disabled" }));

    expect(suspended?.facts).toMatchObject({
      eventName: "PutBucketVersioning",
      bucket: "backups",
      versioningStatus: "Suspended",
    });
    expect(suspended?.facts).not.toHaveProperty("mfaDelete");
    expect(suspended?.resource).toBe("backups");
    expect(mfaOff?.facts).toMatchObject({ bucket: "backups", mfaDelete: "Disabled" });
    expect(mfaOff?.facts).not.toHaveProperty("versioningStatus");
    expect(mfaOff?.summary).toBe("arn:aws:iam::123456789012:root disabled MFA delete on bucket backups");
    expect(both?.facts).toMatchObject({ versioningStatus: "Suspended", mfaDelete: "Disabled" });
    expect(both?.summary).toBe(
      "arn:aws:iam::123456789012:user/alice suspended versioning and disabled MFA delete on bucket backups",
    );
  });

  it("quotes the bucket name and reads odd shapes without throwing", () => {
    const odd = [null, "text", 42, [], { VersioningConfiguration: null }, { VersioningConfiguration: { Status: 1 } }];
    for (const value of odd) {
      expect(evaluate(record("s3.amazonaws.com", "PutBucketVersioning", value, null))).toBeUndefined();
    }
    const tricky = evaluate(putBucketVersioning("evil\nbucket", { Status: "Suspended" }));
    expect(tricky?.summary).not.toContain("\n");
  });
});
