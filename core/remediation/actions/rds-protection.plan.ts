import { awsCall } from "../aws/calls.js";
import { CannotPlan } from "../errors.js";
import type { ActionPlanner } from "../types.js";
import { ID_PATTERNS, notApplicable, ok, undoneEvent } from "./facts.js";
import { parseRdsName } from "./rds-target.js";

/**
 * `rds-enable-deletion-protection`: DeletionProtection=true on the DB instance or DB cluster
 * whose protection was removed (ModifyDBInstance / ModifyDBCluster), in its region. RDS applies
 * it at once; ApplyImmediately is left out so that no other pending change is pulled forward.
 * Deleted snapshots and backups cannot be brought back: those are reported.
 */

export interface ProtectionTarget {
  kind: "instance" | "cluster";
  identifier: string;
  region: string;
}

export interface ProtectionState {
  deletionProtection: boolean;
  /** The cluster an instance belongs to (Aurora, Multi-AZ clusters): protection is the cluster's then. */
  cluster?: string;
}

const DELETED = (what: string) =>
  `the ${what} was deleted: deletion protection cannot bring it back; restore what is still available by hand`;
const LIMITS = {
  DeleteDBSnapshot: DELETED("DB snapshot"),
  DeleteDBClusterSnapshot: DELETED("DB cluster snapshot"),
  DeleteDBInstanceAutomatedBackup: DELETED("automated backup"),
};

const kindName = (target: ProtectionTarget) => (target.kind === "cluster" ? "DB cluster" : "DB instance");

export const enableDeletionProtectionPlanner: ActionPlanner<ProtectionTarget, ProtectionState> = {
  id: "rds-enable-deletion-protection",
  description: "Turn RDS deletion protection back on for the DB instance or DB cluster (DeletionProtection=true).",
  permissions: ["rds:DescribeDBInstances", "rds:ModifyDBInstance", "rds:DescribeDBClusters", "rds:ModifyDBCluster"],
  destructive: false,
  resolve(incident) {
    const facts = incident.facts;
    const undone = undoneEvent(facts, ["ModifyDBInstance", "ModifyDBCluster"], LIMITS, "DeletionProtection=true");
    if (!undone.ok) return undone;
    if (!ID_PATTERNS.region.test(incident.region)) return notApplicable("the incident names no valid region");
    const cluster = parseRdsName(facts.dbClusterIdentifier, incident.region, incident.account, ["cluster"]);
    if (cluster) return ok({ kind: "cluster", identifier: cluster.identifier, region: cluster.region });
    const instance = parseRdsName(facts.dbInstanceIdentifier, incident.region, incident.account, ["db"]);
    if (instance) return ok({ kind: "instance", identifier: instance.identifier, region: instance.region });
    return notApplicable("the incident's facts name no DB instance or DB cluster of this account");
  },
  label: (target) => `RDS ${kindName(target)} ${target.identifier} (${target.region})`,
  describe: ({ target }) =>
    `Turn deletion protection back on for RDS ${kindName(target)} ${target.identifier} in ${target.region}; nothing else is changed.`,
  assume: () => ({ deletionProtection: false }),
  plan({ target, state }) {
    if (state.deletionProtection) return [];
    if (target.kind === "cluster") {
      return [
        awsCall(
          "rds",
          "ModifyDBCluster",
          { DBClusterIdentifier: target.identifier, DeletionProtection: true },
          target.region,
        ),
      ];
    }
    if (state.cluster) {
      throw new CannotPlan(
        `DB instance ${target.identifier} belongs to DB cluster ${state.cluster}: deletion protection is set on the cluster`,
      );
    }
    return [
      awsCall(
        "rds",
        "ModifyDBInstance",
        { DBInstanceIdentifier: target.identifier, DeletionProtection: true },
        target.region,
      ),
    ];
  },
};
