import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import { check, gone, goneOr, sendAll, tagMap } from "./live.js";
import {
  describeValues,
  type RdsSnapshotState,
  type RdsSnapshotTarget,
  unshareRdsSnapshotPlanner,
} from "./rds-snapshot-sharing.plan.js";
import { RDS_NOT_FOUND } from "./rds-target.js";

/**
 * `rds-snapshot-unshare`, live: the snapshot (for its tags) and its `restore` attribute are read,
 * through the DB snapshot or the DB cluster snapshot API; a deleted snapshot is gone, and nothing
 * is shared.
 */

const NO_SNAPSHOT = [...RDS_NOT_FOUND.snapshot, ...RDS_NOT_FOUND.clusterSnapshot];

const restoreValues = (attributes: readonly { AttributeName?: string; AttributeValues?: string[] }[] | undefined) =>
  attributes?.find((attribute) => attribute.AttributeName === "restore")?.AttributeValues ?? [];

async function snapshot(ctx: LiveContext<RdsSnapshotTarget>): Promise<Snapshot<RdsSnapshotState>> {
  const { identifier, cluster, region } = ctx.target;
  const reason = `${cluster ? "DB cluster snapshot" : "DB snapshot"} ${identifier} no longer exists`;
  return goneOr(NO_SNAPSHOT, reason, async () => {
    if (cluster) {
      const described = await ctx.aws.send(
        "rds",
        "DescribeDBClusterSnapshots",
        { DBClusterSnapshotIdentifier: identifier },
        region,
      );
      const found = described.DBClusterSnapshots?.[0];
      if (!found) gone(reason);
      const attributes = await ctx.aws.send(
        "rds",
        "DescribeDBClusterSnapshotAttributes",
        { DBClusterSnapshotIdentifier: identifier },
        region,
      );
      const values = restoreValues(attributes.DBClusterSnapshotAttributesResult?.DBClusterSnapshotAttributes);
      return { state: { values }, tags: [tagMap(found.TagList)] };
    }
    const described = await ctx.aws.send("rds", "DescribeDBSnapshots", { DBSnapshotIdentifier: identifier }, region);
    const found = described.DBSnapshots?.[0];
    if (!found) gone(reason);
    const attributes = await ctx.aws.send(
      "rds",
      "DescribeDBSnapshotAttributes",
      { DBSnapshotIdentifier: identifier },
      region,
    );
    const values = restoreValues(attributes.DBSnapshotAttributesResult?.DBSnapshotAttributes);
    return { state: { values }, tags: [tagMap(found.TagList)] };
  });
}

export const unshareRdsSnapshot: RemediationAction<RdsSnapshotTarget, RdsSnapshotState> = {
  ...unshareRdsSnapshotPlanner,
  errors: { gone: NO_SNAPSHOT },
  snapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await snapshot(ctx);
    if ("gone" in read) return [check("target gone", true, read.gone)];
    const left = ctx.target.added.filter((value) => read.state.values.includes(value));
    return [
      check(
        `snapshot ${ctx.target.identifier} no longer restorable by what the event added`,
        left.length === 0,
        left.length === 0 ? "removed" : `still shared with ${describeValues(left)}`,
      ),
    ];
  },
};
