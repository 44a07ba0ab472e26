import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import {
  type SharedState,
  type SharedTarget,
  unshareImagePlanner,
  unshareSnapshotPlanner,
} from "./ec2-sharing.plan.js";
import { check, gone, goneOr, sendAll, tagMap } from "./live.js";
import { describeShares, noShares, remainingShares, sharesOf } from "./sharing.js";

/**
 * The EBS snapshot and AMI sharing actions, live: the resource (for its tags) and its permission
 * attribute are read; a deleted snapshot or deregistered image is gone, and nothing is shared.
 */

const NO_SNAPSHOT = ["InvalidSnapshot.NotFound"];
const NO_IMAGE = ["InvalidAMIID.NotFound", "InvalidAMIID.Unavailable"];

async function snapshotSnapshot(ctx: LiveContext<SharedTarget>): Promise<Snapshot<SharedState>> {
  const { id, region } = ctx.target;
  const reason = `EBS snapshot ${id} no longer exists`;
  return goneOr(NO_SNAPSHOT, reason, async () => {
    const described = await ctx.aws.send("ec2", "DescribeSnapshots", { SnapshotIds: [id] }, region);
    const found = described.Snapshots?.find((snapshot) => snapshot.SnapshotId === id);
    if (!found) gone(reason);
    const attribute = await ctx.aws.send(
      "ec2",
      "DescribeSnapshotAttribute",
      { SnapshotId: id, Attribute: "createVolumePermission" },
      region,
    );
    return { state: sharesOf(attribute.CreateVolumePermissions), tags: [tagMap(found.Tags)] };
  });
}

async function imageSnapshot(ctx: LiveContext<SharedTarget>): Promise<Snapshot<SharedState>> {
  const { id, region } = ctx.target;
  const reason = `AMI ${id} no longer exists`;
  return goneOr(NO_IMAGE, reason, async () => {
    const described = await ctx.aws.send("ec2", "DescribeImages", { ImageIds: [id] }, region);
    const found = described.Images?.find((image) => image.ImageId === id);
    if (!found) gone(reason);
    const attribute = await ctx.aws.send(
      "ec2",
      "DescribeImageAttribute",
      { ImageId: id, Attribute: "launchPermission" },
      region,
    );
    return { state: sharesOf(attribute.LaunchPermissions), tags: [tagMap(found.Tags)] };
  });
}

function verifyWith(read: (ctx: LiveContext<SharedTarget>) => Promise<Snapshot<SharedState>>, what: string) {
  return async (ctx: LiveContext<SharedTarget>) => {
    const current = await read(ctx);
    if ("gone" in current) return [check("target gone", true, current.gone)];
    const left = remainingShares(ctx.target.added, current.state);
    return [
      check(
        `${what} ${ctx.target.id} no longer shared with what the event added`,
        noShares(left),
        noShares(left) ? "removed" : `still shared with ${describeShares(left)}`,
      ),
    ];
  };
}

export const unshareSnapshot: RemediationAction<SharedTarget, SharedState> = {
  ...unshareSnapshotPlanner,
  errors: { gone: NO_SNAPSHOT },
  snapshot: snapshotSnapshot,
  apply: sendAll,
  verify: verifyWith(snapshotSnapshot, "EBS snapshot"),
};

export const unshareImage: RemediationAction<SharedTarget, SharedState> = {
  ...unshareImagePlanner,
  errors: { gone: NO_IMAGE },
  snapshot: imageSnapshot,
  apply: sendAll,
  verify: verifyWith(imageSnapshot, "AMI"),
};
