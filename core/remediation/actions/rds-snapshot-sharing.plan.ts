import { awsCall } from "../aws/calls.js";
import type { ActionPlanner } from "../types.js";
import { ID_PATTERNS, notApplicable, ok, undoneEvent } from "./facts.js";
import { parseRdsName } from "./rds-target.js";

/**
 * `rds-snapshot-unshare`: remove exactly the restore values the event added to a manual DB
 * snapshot or DB cluster snapshot (`all`, foreign accounts), with ModifyDBSnapshotAttribute /
 * ModifyDBClusterSnapshotAttribute ValuesToRemove, in the snapshot's region. Values that were
 * there before stay; what is already gone is not removed again.
 */

export interface RdsSnapshotTarget {
  identifier: string;
  cluster: boolean;
  region: string;
  /** The restore values the event added. */
  added: string[];
}

export interface RdsSnapshotState {
  /** The snapshot's current `restore` attribute values. */
  values: string[];
}

/** "everyone (all) and account 1", for people. */
export function describeValues(values: readonly string[]): string {
  const accounts = values.filter((value) => value !== "all");
  return [
    ...(values.includes("all") ? ["everyone (all)"] : []),
    ...(accounts.length > 0 ? [`${accounts.length === 1 ? "account" : "accounts"} ${accounts.join(", ")}`] : []),
  ].join(" and ");
}

const kindOf = (target: RdsSnapshotTarget) => (target.cluster ? "RDS cluster snapshot" : "RDS snapshot");

export const unshareRdsSnapshotPlanner: ActionPlanner<RdsSnapshotTarget, RdsSnapshotState> = {
  id: "rds-snapshot-unshare",
  description: "Remove exactly the restore values (all, other accounts) added to the RDS DB or cluster snapshot.",
  permissions: [
    "rds:DescribeDBSnapshots",
    "rds:DescribeDBSnapshotAttributes",
    "rds:ModifyDBSnapshotAttribute",
    "rds:DescribeDBClusterSnapshots",
    "rds:DescribeDBClusterSnapshotAttributes",
    "rds:ModifyDBClusterSnapshotAttribute",
  ],
  destructive: false,
  resolve(incident) {
    const facts = incident.facts;
    const undone = undoneEvent(
      facts,
      ["ModifyDBSnapshotAttribute", "ModifyDBClusterSnapshotAttribute"],
      {},
      "removing the added restore values",
    );
    if (!undone.ok) return undone;
    if (!ID_PATTERNS.region.test(incident.region)) return notApplicable("the incident names no valid region");
    const name = parseRdsName(facts.snapshotIdentifier, incident.region, incident.account, [
      "snapshot",
      "cluster-snapshot",
    ]);
    if (!name) return notApplicable("the incident's facts name no DB snapshot of this account");
    const listed = Array.isArray(facts.addedValues) ? facts.addedValues : [];
    const added = [
      ...new Set(
        listed.filter((v): v is string => typeof v === "string" && (v === "all" || ID_PATTERNS.account.test(v))),
      ),
    ];
    if (added.length === 0) return notApplicable("the incident's facts name no added restore value");
    const cluster = name.type ? name.type === "cluster-snapshot" : facts.cluster === true;
    return ok({ identifier: name.identifier, cluster, region: name.region, added });
  },
  label: (target) => `${kindOf(target)} ${target.identifier} (${target.region})`,
  describe: ({ target }) =>
    `Stop sharing ${kindOf(target)} ${target.identifier} in ${target.region} with ${describeValues(target.added)}: remove the restore values the event added, and no other.`,
  assume: ({ target }) => ({ values: target.added }),
  plan({ target, state }) {
    const remove = target.added.filter((value) => state.values.includes(value));
    if (remove.length === 0) return [];
    return [
      target.cluster
        ? awsCall(
            "rds",
            "ModifyDBClusterSnapshotAttribute",
            { DBClusterSnapshotIdentifier: target.identifier, AttributeName: "restore", ValuesToRemove: remove },
            target.region,
          )
        : awsCall(
            "rds",
            "ModifyDBSnapshotAttribute",
            { DBSnapshotIdentifier: target.identifier, AttributeName: "restore", ValuesToRemove: remove },
            target.region,
          ),
    ];
  },
};
