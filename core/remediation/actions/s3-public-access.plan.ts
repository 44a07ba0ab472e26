import { awsCall } from "../aws/calls.js";
import type { ActionPlanner } from "../types.js";
import { ID_PATTERNS, notApplicable, ok } from "./facts.js";
import { ALL_BLOCKED, allBlocked, type PublicAccessBlockState, resolveBucket } from "./s3-target.js";

/**
 * `s3-block-public-access` and `s3-account-block-public-access`: turn all four public access
 * block settings on, for the bucket (S3) or for the whole account (S3 Control).
 */

export interface BucketTarget {
  bucket: string;
}

export interface AccountTarget {
  accountId: string;
}

export const blockBucketPublicAccessPlanner: ActionPlanner<BucketTarget, PublicAccessBlockState> = {
  id: "s3-block-public-access",
  description: "Turn on all four S3 public access block settings on the bucket.",
  permissions: ["s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock", "s3:GetBucketTagging"],
  destructive: false,
  resolve: (incident) => resolveBucket(incident.facts),
  label: (target) => target.bucket,
  describe: ({ target }) =>
    `Turn on all four public access block settings (block and ignore public ACLs, block and restrict public policies) on bucket ${target.bucket}.`,
  // The detection fired because the block was lifted: assume nothing is blocked.
  assume: () => ({}),
  plan: ({ target, state, incident }) =>
    allBlocked(state)
      ? []
      : [
          awsCall(
            "s3",
            "PutPublicAccessBlock",
            { Bucket: target.bucket, PublicAccessBlockConfiguration: { ...ALL_BLOCKED } },
            incident.region,
          ),
        ],
};

export const blockAccountPublicAccessPlanner: ActionPlanner<AccountTarget, PublicAccessBlockState> = {
  id: "s3-account-block-public-access",
  description: "Turn on all four S3 public access block settings for the whole account (S3 Control).",
  permissions: ["s3:GetAccountPublicAccessBlock", "s3:PutAccountPublicAccessBlock"],
  // Account-wide: it can break every bucket that is public on purpose.
  destructive: true,
  resolve: (incident) =>
    ID_PATTERNS.account.test(incident.account)
      ? ok({ accountId: incident.account })
      : notApplicable("the incident names no valid account id"),
  label: (target) => `account ${target.accountId}`,
  describe: ({ target }) =>
    `Turn on all four public access block settings for account ${target.accountId}, which applies to every bucket in it.`,
  assume: () => ({}),
  plan: ({ target, state, incident }) =>
    allBlocked(state)
      ? []
      : [
          awsCall(
            "s3control",
            "PutPublicAccessBlock",
            { AccountId: target.accountId, PublicAccessBlockConfiguration: { ...ALL_BLOCKED } },
            incident.region,
          ),
        ],
};
