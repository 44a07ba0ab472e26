import { isPublicStatement, readPolicy } from "../../risk/resource-policy.js";
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

/** The policy read back, judged by the shared risk model; an unreadable one fails, never guessed private. */
function publicStatementCheck(policy: string | undefined): VerifyCheck {
  const name = "no public statement in the bucket policy";
  if (policy === undefined) return check(name, true, "the bucket has no policy");
  const reading = readPolicy(policy);
  if (!reading.ok) return check(name, false, `the policy could not be read: ${reading.problem}`);
  const statements = reading.policy.Statement;
  const isPublic = statements.some(isPublicStatement);
  return check(
    name,
    !isPublic,
    isPublic ? "a statement still grants access to everyone" : `${statements.length} statements, none public`,
  );
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
    const checks = [publicStatementCheck(policy), await policyStatusCheck(ctx)];
    if (ctx.target.restoreIfMissing) checks.push(check("last known good policy in place", policy !== undefined));
    return checks;
  },
};
