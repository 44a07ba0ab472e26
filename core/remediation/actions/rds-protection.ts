import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import { check, gone, goneOr, sendAll, tagMap } from "./live.js";
import { enableDeletionProtectionPlanner, type ProtectionState, type ProtectionTarget } from "./rds-protection.plan.js";
import { RDS_NOT_FOUND } from "./rds-target.js";

/**
 * `rds-enable-deletion-protection`, live. A database deleted since is "gone" for the runner, but
 * verification fails it: the protection was removed for that, and a person must restore it.
 */

const NO_DATABASE = [...RDS_NOT_FOUND.instance, ...RDS_NOT_FOUND.cluster];

async function snapshot(ctx: LiveContext<ProtectionTarget>): Promise<Snapshot<ProtectionState>> {
  const { kind, identifier, region } = ctx.target;
  const reason = `${kind === "cluster" ? "DB cluster" : "DB instance"} ${identifier} was deleted: restore it from a snapshot or backup`;
  return goneOr(NO_DATABASE, reason, async () => {
    if (kind === "cluster") {
      const described = await ctx.aws.send("rds", "DescribeDBClusters", { DBClusterIdentifier: identifier }, region);
      const found = described.DBClusters?.[0];
      if (!found) gone(reason);
      return { state: { deletionProtection: found.DeletionProtection === true }, tags: [tagMap(found.TagList)] };
    }
    const described = await ctx.aws.send("rds", "DescribeDBInstances", { DBInstanceIdentifier: identifier }, region);
    const found = described.DBInstances?.[0];
    if (!found) gone(reason);
    return {
      state: {
        deletionProtection: found.DeletionProtection === true,
        ...(found.DBClusterIdentifier ? { cluster: found.DBClusterIdentifier } : {}),
      },
      tags: [tagMap(found.TagList)],
    };
  });
}

export const enableDeletionProtection: RemediationAction<ProtectionTarget, ProtectionState> = {
  ...enableDeletionProtectionPlanner,
  errors: { gone: NO_DATABASE },
  snapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await snapshot(ctx);
    if ("gone" in read) return [check("database exists", false, read.gone)];
    return [
      check(
        `${ctx.target.identifier} deletion protection on`,
        read.state.deletionProtection,
        `DeletionProtection: ${read.state.deletionProtection}`,
      ),
    ];
  },
};
