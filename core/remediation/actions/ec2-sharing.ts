import { errorCode } from "../aws/errors.js";
import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import {
  type BlockPublicAccessReport,
  type SharedState,
  type SharedTarget,
  type SnapshotSharedState,
  unshareImagePlanner,
  unshareSnapshotPlanner,
} from "./ec2-sharing.plan.js";
import { check, gone, goneOr, sendAll, tagMap } from "./live.js";
import { describeShares, noShares, remainingShares, sharesOf } from "./sharing.js";

/**
 * The EBS snapshot and AMI sharing actions, live: the resource (for its tags) and its permission
 * attribute are read; a deleted snapshot or deregistered image is gone, and nothing is shared.
 * With a snapshot, the region's snapshot block public access setting is read and reported.
 */

const NO_SNAPSHOT = ["InvalidSnapshot.NotFound"];
const NO_IMAGE = ["InvalidAMIID.NotFound", "InvalidAMIID.Unavailable"];

/** What the region's setting means for this share, in a sentence (the values come from AWS, not the event). */
function reportOf(state: string, region: string, madePublic: boolean): string {
  const setting = `snapshot block public access in ${region} is ${state}`;
  switch (state) {
    case "unblocked":
      return madePublic
        ? `${setting}; enabling block-all-sharing would have prevented this public share`
        : `${setting}; it blocks public sharing only, not sharing with specific accounts`;
    case "block-new-sharing":
      return `${setting}: new public shares are refused (it may have been enabled after this one); block-all-sharing would also hide snapshots shared publicly before`;
    case "block-all-sharing":
      return `${setting}: no snapshot of this region can be shared publicly`;
    default:
      return `${setting}`;
  }
}

/**
 * The region's setting, as a report: reading it may be refused (a service control policy) or
 * unsupported (a partition without it); then it is unknown and the action goes on.
 */
async function blockPublicAccess(ctx: LiveContext<SharedTarget>): Promise<BlockPublicAccessReport> {
  const { region, added } = ctx.target;
  try {
    const answer = await ctx.aws.send("ec2", "GetSnapshotBlockPublicAccessState", {}, region);
    const state = answer.State ?? "unknown";
    return { state, report: reportOf(state, region, added.groups.includes("all")) };
  } catch (error) {
    const code = errorCode(error) ?? "an error";
    return {
      state: "unknown",
      report: `snapshot block public access in ${region} is unknown: reading it failed (${code})`,
    };
  }
}

async function snapshotSnapshot(ctx: LiveContext<SharedTarget>): Promise<Snapshot<SnapshotSharedState>> {
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
    return {
      state: { ...sharesOf(attribute.CreateVolumePermissions), blockPublicAccess: await blockPublicAccess(ctx) },
      tags: [tagMap(found.Tags)],
    };
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

function verifyWith<S extends SharedState>(
  read: (ctx: LiveContext<SharedTarget>) => Promise<Snapshot<S>>,
  what: string,
) {
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

export const unshareSnapshot: RemediationAction<SharedTarget, SnapshotSharedState> = {
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
