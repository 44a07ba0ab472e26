import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import { bucketTags, check, goneOr, NO_BUCKET, sendAll } from "./live.js";
import { enableVersioningPlanner, type VersioningState, type VersioningTarget } from "./s3-versioning.plan.js";

/**
 * `s3-enable-versioning`, live. A bucket deleted since is "gone" for the runner, but
 * verification fails it: its objects went with it, and a person must look.
 */

async function snapshot(ctx: LiveContext<VersioningTarget>): Promise<Snapshot<VersioningState>> {
  const bucket = ctx.target.bucket;
  return goneOr(NO_BUCKET, `bucket ${bucket} was deleted, with its objects`, async () => {
    const answer = await ctx.aws.send("s3", "GetBucketVersioning", { Bucket: bucket });
    const tags = await bucketTags(ctx, bucket);
    return {
      state: {
        ...(answer.Status ? { status: answer.Status } : {}),
        ...(answer.MFADelete ? { mfaDelete: answer.MFADelete } : {}),
      },
      tags: [tags],
    };
  });
}

export const enableVersioning: RemediationAction<VersioningTarget, VersioningState> = {
  ...enableVersioningPlanner,
  errors: { gone: NO_BUCKET },
  snapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await snapshot(ctx);
    if ("gone" in read) return [check("bucket exists", false, read.gone)];
    const status = read.state.status ?? "never enabled";
    return [check(`bucket ${ctx.target.bucket} versioning enabled`, status === "Enabled", `Status: ${status}`)];
  },
};
