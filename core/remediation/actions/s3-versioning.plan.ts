import { awsCall } from "../aws/calls.js";
import { CannotPlan } from "../errors.js";
import type { ActionPlanner } from "../types.js";
import { notApplicable, ok, undoneEvent } from "./facts.js";
import { resolveBucket } from "./s3-target.js";

/**
 * `s3-enable-versioning`: PutBucketVersioning Status=Enabled on a bucket whose versioning was
 * suspended. MFA delete is never touched: turning it back on takes the root user's MFA device
 * (the x-amz-mfa header), so a change of MFA delete alone is reported to people, and a bucket
 * whose MFA delete is on cannot have its versioning changed without that device either.
 */

export interface VersioningTarget {
  bucket: string;
  /** The event also turned MFA delete off (told to people; not undone). */
  mfaDeleteDisabled: boolean;
}

export interface VersioningState {
  /** S3's `Status`: Enabled, Suspended, or absent for a bucket never versioned. */
  status?: string;
  /** S3's `MFADelete`: Enabled, Disabled, or absent. */
  mfaDelete?: string;
}

const MFA_DELETE_LIMIT =
  "MFA delete was turned off: it can be turned back on only by the root user with its MFA device; do it by hand";

export const enableVersioningPlanner: ActionPlanner<VersioningTarget, VersioningState> = {
  id: "s3-enable-versioning",
  description: "Re-enable versioning on the bucket (PutBucketVersioning Status=Enabled); MFA delete is left to people.",
  permissions: ["s3:GetBucketVersioning", "s3:PutBucketVersioning", "s3:GetBucketTagging"],
  destructive: false,
  resolve(incident) {
    const facts = incident.facts;
    const undone = undoneEvent(facts, ["PutBucketVersioning"], {}, "PutBucketVersioning Status=Enabled");
    if (!undone.ok) return undone;
    const bucket = resolveBucket(facts);
    if (!bucket.ok) return bucket;
    const mfaDeleteDisabled = facts.mfaDelete === "Disabled";
    if (facts.versioningStatus !== "Suspended") {
      return notApplicable(mfaDeleteDisabled ? MFA_DELETE_LIMIT : "the incident's facts show no suspended versioning");
    }
    return ok({ bucket: bucket.target.bucket, mfaDeleteDisabled });
  },
  label: (target) => target.bucket,
  describe: ({ target }) =>
    `Re-enable versioning on bucket ${target.bucket}.${target.mfaDeleteDisabled ? ` ${MFA_DELETE_LIMIT}.` : ""}`,
  assume: () => ({ status: "Suspended" }),
  plan({ target, state, incident }) {
    if (state.status === "Enabled") return [];
    if (state.mfaDelete === "Enabled") {
      throw new CannotPlan(
        `MFA delete is on for bucket ${target.bucket}: changing its versioning takes the root user's MFA device; re-enable versioning by hand`,
      );
    }
    return [
      awsCall(
        "s3",
        "PutBucketVersioning",
        { Bucket: target.bucket, VersioningConfiguration: { Status: "Enabled" } },
        incident.region,
      ),
    ];
  },
};
