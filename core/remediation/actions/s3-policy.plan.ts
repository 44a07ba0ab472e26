import type { AwsCall } from "../../model/incident.js";
import { isPublicPolicy, parsePolicy, splitPublicStatements } from "../../risk/resource-policy.js";
import { awsCall, liveValue } from "../aws/calls.js";
import type { ActionPlanner } from "../types.js";
import { notApplicable } from "./facts.js";
import { resolveBucket } from "./s3-target.js";

/**
 * `s3-remove-public-policy`: drop the public statements of a bucket policy and keep the rest;
 * when nothing would remain, restore the last known good policy (if the facts hold one that is
 * not public) or delete the policy. A deleted policy with a known good predecessor is restored.
 */

export interface BucketPolicyTarget {
  bucket: string;
  /** The last known good policy (JSON), only when it parses and is not public. */
  previousPolicy?: string;
  /** Restore `previousPolicy` when the bucket has no policy (the event deleted it). */
  restoreIfMissing: boolean;
}

export interface BucketPolicyState {
  /** The policy JSON; undefined when the bucket has none. */
  policy?: string;
  /** The policy is not known without a live read. */
  unknown?: boolean;
}

export const POLICY_PERMISSIONS = [
  "s3:GetBucketPolicy",
  "s3:PutBucketPolicy",
  "s3:DeleteBucketPolicy",
  "s3:GetBucketPolicyStatus",
  "s3:GetBucketTagging",
] as const;

/** Policy facts as JSON text: CloudTrail records `bucketPolicy` as an object, detections may keep it so. */
export function policyText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null) return JSON.stringify(value);
  return undefined;
}

function restoreOrDelete(target: BucketPolicyTarget, region: string): AwsCall {
  return target.previousPolicy
    ? awsCall("s3", "PutBucketPolicy", { Bucket: target.bucket, Policy: target.previousPolicy }, region)
    : awsCall("s3", "DeleteBucketPolicy", { Bucket: target.bucket }, region);
}

export const removePublicPolicyPlanner: ActionPlanner<BucketPolicyTarget, BucketPolicyState> = {
  id: "s3-remove-public-policy",
  description: "Remove the public statements from the bucket policy, or restore the last known good policy.",
  permissions: POLICY_PERMISSIONS,
  destructive: false,

  resolve(incident) {
    const bucket = resolveBucket(incident.facts);
    if (!bucket.ok) return bucket;
    const policy = policyText(incident.facts.policy);
    const previousPolicy = policyText(incident.facts.previousPolicy);
    const good =
      previousPolicy && parsePolicy(previousPolicy) && !isPublicPolicy(previousPolicy) ? previousPolicy : undefined;
    if (policy === undefined && good === undefined) {
      return notApplicable(
        "neither the policy set nor a last known good policy is known: nothing to restore or remove",
      );
    }
    return {
      ok: true,
      target: {
        bucket: bucket.target.bucket,
        previousPolicy: good,
        restoreIfMissing: policy === undefined && good !== undefined,
      },
    };
  },

  label: (target) => target.bucket,

  describe({ target }) {
    if (target.restoreIfMissing) return `Restore the last known good bucket policy of ${target.bucket}.`;
    const fallback = target.previousPolicy ? "restore the last known good policy" : "delete the policy";
    return `Remove the statements that grant public access from the bucket policy of ${target.bucket}, keeping the others (if none remain, ${fallback}).`;
  },

  assume({ incident }) {
    const policy = policyText(incident.facts.policy);
    if (policy && parsePolicy(policy)) return { policy };
    return policy === undefined ? {} : { unknown: true };
  },

  plan({ target, state, incident }) {
    const region = incident.region;
    if (state.unknown) {
      return [
        awsCall(
          "s3",
          "PutBucketPolicy",
          { Bucket: target.bucket, Policy: liveValue("GetBucketPolicy without its public statements") },
          region,
        ),
      ];
    }
    const current = parsePolicy(state.policy);
    if (!current) return target.restoreIfMissing ? [restoreOrDelete(target, region)] : [];
    const split = splitPublicStatements(current);
    if (split.public.length === 0) return [];
    if (split.rest.length === 0) return [restoreOrDelete(target, region)];
    const kept = JSON.stringify({ ...current, Statement: split.rest });
    return [awsCall("s3", "PutBucketPolicy", { Bucket: target.bucket, Policy: kept }, region)];
  },
};
