import { isPublicPolicy, parsePolicy } from "../analysis/bucket-policy.js";
import type { LiveContext, RemediationAction, Snapshot, VerifyCheck } from "../types.js";
import { bucketTags, check, goneOr, NO_BUCKET, sendAll, unlessAbsent } from "./live.js";
import { type BucketPolicyState, type BucketPolicyTarget, removePublicPolicyPlanner } from "./s3-policy.plan.js";

/**
 * `s3-remove-public-policy`, live. Verification reads the policy back and judges it itself;
 * GetBucketPolicyStatus is asked too, but an answer without a status (emulators) proves nothing
 * either way and is reported as such, never relied on alone.
 */

const NO_POLICY = ["NoSuchBucketPolicy"];

async function snapshot(ctx: LiveContext<BucketPolicyTarget>): Promise<Snapshot<BucketPolicyState>> {
  const bucket = ctx.target.bucket;
  return goneOr(NO_BUCKET, `bucket ${bucket} no longer exists`, async () => {
    const answer = await unlessAbsent(
      () => ctx.aws.send("s3", "GetBucketPolicy", { Bucket: bucket }),
      NO_POLICY,
      undefined,
    );
    const tags = await bucketTags(ctx, bucket);
    return { state: answer?.Policy ? { policy: answer.Policy } : {}, tags: [tags] };
  });
}

async function policyStatusCheck(ctx: LiveContext<BucketPolicyTarget>): Promise<VerifyCheck> {
  const answer = await unlessAbsent(
    () => ctx.aws.send("s3", "GetBucketPolicyStatus", { Bucket: ctx.target.bucket }),
    NO_POLICY,
    "no-policy" as const,
  );
  if (answer === "no-policy") return check("S3 policy status not public", true, "the bucket has no policy");
  const isPublic = answer.PolicyStatus?.IsPublic;
  if (isPublic === undefined) return check("S3 policy status not public", true, "S3 reported no policy status");
  return check("S3 policy status not public", !isPublic, `IsPublic: ${isPublic}`);
}

export const removePublicPolicy: RemediationAction<BucketPolicyTarget, BucketPolicyState> = {
  ...removePublicPolicyPlanner,
  errors: { gone: NO_BUCKET },
  snapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await snapshot(ctx);
    if ("gone" in read) return [check("target gone", true, read.gone)];
    const policy = read.state.policy;
    const isPublic = isPublicPolicy(policy);
    const statements = parsePolicy(policy)?.Statement.length ?? 0;
    const checks = [
      check(
        "no public statement in the bucket policy",
        !isPublic,
        policy === undefined
          ? "the bucket has no policy"
          : isPublic
            ? "a statement still grants access to everyone"
            : `${statements} statements, none public`,
      ),
      await policyStatusCheck(ctx),
    ];
    if (ctx.target.restoreIfMissing) checks.push(check("last known good policy in place", policy !== undefined));
    return checks;
  },
};
