import { isForeignAccount } from "../../risk/foreign-accounts.js";
import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import { bucketTags, check, goneOr, NO_BUCKET, sendAll, unlessAbsent } from "./live.js";
import {
  foreignAccountsOf,
  type ReplicationState,
  type ReplicationTarget,
  removeForeignReplicationPlanner,
} from "./s3-replication.plan.js";

/**
 * `s3-remove-foreign-replication`, live: the bucket's whole replication configuration (kept to
 * undo) and its tags. A bucket deleted since is gone, and replicates nothing.
 */

const NO_REPLICATION = ["ReplicationConfigurationNotFoundError"];

async function snapshot(ctx: LiveContext<ReplicationTarget>): Promise<Snapshot<ReplicationState>> {
  const bucket = ctx.target.bucket;
  return goneOr(NO_BUCKET, `bucket ${bucket} no longer exists`, async () => {
    const answer = await unlessAbsent(
      () => ctx.aws.send("s3", "GetBucketReplication", { Bucket: bucket }, ctx.incident.region),
      NO_REPLICATION,
      undefined,
    );
    const found = answer?.ReplicationConfiguration;
    const tags = await bucketTags(ctx, bucket);
    return {
      state: found ? { configuration: { ...(found.Role ? { Role: found.Role } : {}), Rules: found.Rules ?? [] } } : {},
      tags: [tags],
    };
  });
}

export const removeForeignReplication: RemediationAction<ReplicationTarget, ReplicationState> = {
  ...removeForeignReplicationPlanner,
  errors: { gone: NO_BUCKET },
  snapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await snapshot(ctx);
    if ("gone" in read) return [check("target gone", true, read.gone)];
    const isForeign = (account: string) => isForeignAccount(account, ctx.incident.account, ctx.config.trustedAccounts);
    const left = foreignAccountsOf(read.state.configuration?.Rules ?? [], isForeign);
    return [
      check(
        `bucket ${ctx.target.bucket} replicates to no foreign account`,
        left.length === 0,
        left.length === 0 ? "no foreign-account rule" : `still replicates to ${left.join(", ")}`,
      ),
    ];
  },
};
