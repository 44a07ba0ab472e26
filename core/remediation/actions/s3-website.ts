import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import { bucketTags, check, goneOr, NO_BUCKET, sendAll, unlessAbsent } from "./live.js";
import { deleteWebsitePlanner, type WebsiteState } from "./s3-website.plan.js";

/** `s3-delete-website`, live: the configuration is read (and kept in the snapshot), deleted, and gone. */

async function snapshot(ctx: LiveContext<{ bucket: string }>): Promise<Snapshot<WebsiteState>> {
  const bucket = ctx.target.bucket;
  return goneOr(NO_BUCKET, `bucket ${bucket} no longer exists`, async () => {
    const answer = await unlessAbsent(
      () => ctx.aws.send("s3", "GetBucketWebsite", { Bucket: bucket }),
      ["NoSuchWebsiteConfiguration"],
      undefined,
    );
    const tags = await bucketTags(ctx, bucket);
    if (!answer) return { state: {}, tags: [tags] };
    const { $metadata: _metadata, ...website } = answer;
    return { state: { website }, tags: [tags] };
  });
}

export const deleteWebsite: RemediationAction<{ bucket: string }, WebsiteState> = {
  ...deleteWebsitePlanner,
  errors: { gone: NO_BUCKET },
  snapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await snapshot(ctx);
    if ("gone" in read) return [check("target gone", true, read.gone)];
    return [check("no website configuration", read.state.website === undefined)];
  },
};
