import { isPublicGrant } from "../../risk/acl.js";
import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import { bucketTags, check, goneOr, NO_BUCKET, sendAll } from "./live.js";
import { type AclState, type ObjectTarget, privateBucketAclPlanner, privateObjectAclPlanner } from "./s3-acl.plan.js";

/** Bucket and object ACLs, live: read the grants, put them back without the public ones, re-read. */

const NO_OBJECT = ["NoSuchBucket", "NoSuchKey"];

function publicGrantCheck(state: AclState) {
  const publicGrants = (state.grants ?? []).filter(isPublicGrant);
  return check(
    "no grant to AllUsers or AuthenticatedUsers",
    publicGrants.length === 0,
    publicGrants.length === 0
      ? `${state.grants?.length ?? 0} grants, none public`
      : `public: ${publicGrants.map((g) => `${g.Permission} to ${g.Grantee?.URI}`).join("; ")}`,
  );
}

async function bucketSnapshot(ctx: LiveContext<{ bucket: string }>): Promise<Snapshot<AclState>> {
  const bucket = ctx.target.bucket;
  return goneOr(NO_BUCKET, `bucket ${bucket} no longer exists`, async () => {
    const acl = await ctx.aws.send("s3", "GetBucketAcl", { Bucket: bucket });
    const tags = await bucketTags(ctx, bucket);
    return { state: { owner: acl.Owner, grants: acl.Grants ?? [] }, tags: [tags] };
  });
}

async function objectSnapshot(ctx: LiveContext<ObjectTarget>): Promise<Snapshot<AclState>> {
  const { bucket, key } = ctx.target;
  return goneOr(NO_OBJECT, `the object no longer exists in bucket ${bucket}`, async () => {
    const acl = await ctx.aws.send("s3", "GetObjectAcl", { Bucket: bucket, Key: key });
    const tags = await bucketTags(ctx, bucket);
    return { state: { owner: acl.Owner, grants: acl.Grants ?? [] }, tags: [tags] };
  });
}

export const privateBucketAcl: RemediationAction<{ bucket: string }, AclState> = {
  ...privateBucketAclPlanner,
  errors: { gone: NO_BUCKET },
  snapshot: bucketSnapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await bucketSnapshot(ctx);
    return "gone" in read ? [check("target gone", true, read.gone)] : [publicGrantCheck(read.state)];
  },
};

export const privateObjectAcl: RemediationAction<ObjectTarget, AclState> = {
  ...privateObjectAclPlanner,
  errors: { gone: NO_OBJECT },
  snapshot: objectSnapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await objectSnapshot(ctx);
    return "gone" in read ? [check("target gone", true, read.gone)] : [publicGrantCheck(read.state)];
  },
};
