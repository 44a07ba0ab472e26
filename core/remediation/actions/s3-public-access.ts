import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import { bucketTags, check, goneOr, NO_BUCKET, sendAll, unlessAbsent } from "./live.js";
import {
  type AccountTarget,
  type BucketTarget,
  blockAccountPublicAccessPlanner,
  blockBucketPublicAccessPlanner,
} from "./s3-public-access.plan.js";
import { allBlocked, type PublicAccessBlockState } from "./s3-target.js";

/** The public access block, live: read it (absent = nothing blocked), put all four, read it back. */

const NO_BLOCK = ["NoSuchPublicAccessBlockConfiguration"];

function describeBlock(state: PublicAccessBlockState): string {
  const config = state.config ?? {};
  const off = (["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"] as const).filter(
    (key) => config[key] !== true,
  );
  return off.length === 0 ? "all four settings on" : `off: ${off.join(", ")}`;
}

async function bucketSnapshot(ctx: LiveContext<BucketTarget>): Promise<Snapshot<PublicAccessBlockState>> {
  const bucket = ctx.target.bucket;
  return goneOr(NO_BUCKET, `bucket ${bucket} no longer exists`, async () => {
    const answer = await unlessAbsent(
      () => ctx.aws.send("s3", "GetPublicAccessBlock", { Bucket: bucket }),
      NO_BLOCK,
      undefined,
    );
    const tags = await bucketTags(ctx, bucket);
    return {
      state: answer?.PublicAccessBlockConfiguration ? { config: answer.PublicAccessBlockConfiguration } : {},
      tags: [tags],
    };
  });
}

async function accountSnapshot(ctx: LiveContext<AccountTarget>): Promise<Snapshot<PublicAccessBlockState>> {
  const answer = await unlessAbsent(
    () => ctx.aws.send("s3control", "GetPublicAccessBlock", { AccountId: ctx.target.accountId }),
    NO_BLOCK,
    undefined,
  );
  return {
    state: answer?.PublicAccessBlockConfiguration ? { config: answer.PublicAccessBlockConfiguration } : {},
    tags: [],
  };
}

export const blockBucketPublicAccess: RemediationAction<BucketTarget, PublicAccessBlockState> = {
  ...blockBucketPublicAccessPlanner,
  errors: { gone: NO_BUCKET },
  snapshot: bucketSnapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await bucketSnapshot(ctx);
    if ("gone" in read) return [check("target gone", true, read.gone)];
    return [check("bucket public access block on", allBlocked(read.state), describeBlock(read.state))];
  },
};

export const blockAccountPublicAccess: RemediationAction<AccountTarget, PublicAccessBlockState> = {
  ...blockAccountPublicAccessPlanner,
  errors: {},
  snapshot: accountSnapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await accountSnapshot(ctx);
    if ("gone" in read) return [check("target gone", true, read.gone)];
    return [check("account public access block on", allBlocked(read.state), describeBlock(read.state))];
  },
};
