import { awsCall } from "../aws/calls.js";
import type { ActionPlanner, Resolution } from "../types.js";
import { ID_PATTERNS, notApplicable, ok, undoneEvent } from "./facts.js";
import { type AddedShares, describeShares, noShares, readAddedShares, remainingShares } from "./sharing.js";

/**
 * `ebs-snapshot-unshare` and `ami-unshare`: remove exactly the create-volume permission added to
 * an EBS snapshot, or the launch permission added to an AMI (ModifySnapshotAttribute /
 * ModifyImageAttribute, OperationType remove), in the incident's region. Shares that were there
 * before the event stay; what is already gone is not removed again.
 */

export interface SharedTarget {
  /** The snapshot or image id. */
  id: string;
  region: string;
  added: AddedShares;
}

/** The resource's current shares (public group, account ids). */
export type SharedState = AddedShares;

/**
 * The region's snapshot block public access setting (GetSnapshotBlockPublicAccessState), read
 * with a snapshot and reported in the action's result: a report, never changed by the action.
 */
export interface BlockPublicAccessReport {
  /** `unblocked`, `block-new-sharing`, `block-all-sharing`, or `unknown` when it could not be read. */
  state: string;
  report: string;
}

/** A snapshot's shares, and the region's block public access setting when read live. */
export type SnapshotSharedState = SharedState & { blockPublicAccess?: BlockPublicAccessReport };

function resolveShared(
  facts: Record<string, unknown>,
  region: string,
  idFact: "snapshotId" | "imageId",
  pattern: RegExp,
  event: string,
  what: string,
): Resolution<SharedTarget> {
  const undone = undoneEvent(facts, [event], {}, `removing the added ${what}`);
  if (!undone.ok) return undone;
  const id = facts[idFact];
  if (typeof id !== "string" || !pattern.test(id)) return notApplicable(`the incident's facts name no ${idFact}`);
  if (!ID_PATTERNS.region.test(region)) return notApplicable("the incident names no valid region");
  const added = readAddedShares(facts);
  return added.ok ? ok({ id, region, added: added.target }) : added;
}

export const unshareSnapshotPlanner: ActionPlanner<SharedTarget, SnapshotSharedState> = {
  id: "ebs-snapshot-unshare",
  description: "Remove exactly the create-volume permission added to the EBS snapshot (public or other accounts).",
  permissions: [
    "ec2:DescribeSnapshots",
    "ec2:DescribeSnapshotAttribute",
    "ec2:ModifySnapshotAttribute",
    "ec2:GetSnapshotBlockPublicAccessState",
  ],
  destructive: false,
  resolve: (incident) =>
    resolveShared(
      incident.facts,
      incident.region,
      "snapshotId",
      ID_PATTERNS.snapshot,
      "ModifySnapshotAttribute",
      "create-volume permission",
    ),
  label: (target) => `EBS snapshot ${target.id} (${target.region})`,
  describe: ({ target }) =>
    `Stop sharing EBS snapshot ${target.id} in ${target.region} with ${describeShares(target.added)}: remove the create-volume permission the event added, and no other.`,
  assume: ({ target }) => target.added,
  plan({ target, state }) {
    const remove = remainingShares(target.added, state);
    if (noShares(remove)) return [];
    return [
      awsCall(
        "ec2",
        "ModifySnapshotAttribute",
        {
          SnapshotId: target.id,
          Attribute: "createVolumePermission",
          OperationType: "remove",
          ...(remove.groups.length > 0 ? { GroupNames: remove.groups } : {}),
          ...(remove.userIds.length > 0 ? { UserIds: remove.userIds } : {}),
        },
        target.region,
      ),
    ];
  },
};

export const unshareImagePlanner: ActionPlanner<SharedTarget, SharedState> = {
  id: "ami-unshare",
  description: "Remove exactly the launch permission added to the AMI (public or other accounts).",
  permissions: ["ec2:DescribeImages", "ec2:DescribeImageAttribute", "ec2:ModifyImageAttribute"],
  destructive: false,
  resolve: (incident) =>
    resolveShared(
      incident.facts,
      incident.region,
      "imageId",
      ID_PATTERNS.image,
      "ModifyImageAttribute",
      "launch permission",
    ),
  label: (target) => `AMI ${target.id} (${target.region})`,
  describe: ({ target }) =>
    `Stop sharing AMI ${target.id} in ${target.region} with ${describeShares(target.added)}: remove the launch permission the event added, and no other.`,
  assume: ({ target }) => target.added,
  plan({ target, state }) {
    const remove = remainingShares(target.added, state);
    if (noShares(remove)) return [];
    return [
      awsCall(
        "ec2",
        "ModifyImageAttribute",
        {
          ImageId: target.id,
          Attribute: "launchPermission",
          OperationType: "remove",
          ...(remove.groups.length > 0 ? { UserGroups: remove.groups } : {}),
          ...(remove.userIds.length > 0 ? { UserIds: remove.userIds } : {}),
        },
        target.region,
      ),
    ];
  },
};
