import { awsCall } from "../aws/calls.js";
import type { ActionPlanner } from "../types.js";
import { ID_PATTERNS, notApplicable, ok, undoneEvent } from "./facts.js";
import { parseRdsName } from "./rds-target.js";

/**
 * `rds-disable-public-access`: ModifyDBInstance PubliclyAccessible=false on the DB instance that
 * rds-instance-public saw made public, in its region. RDS applies PubliclyAccessible at once
 * whatever ApplyImmediately says (API reference, ModifyDBInstance), so ApplyImmediately is left
 * out: set, it would also pull forward every other change pending for the maintenance window.
 * ModifyDBCluster takes no PubliclyAccessible (a Multi-AZ DB cluster's is set when it is created),
 * so a cluster is reported for a person. The previous value is kept in the before-snapshot: set
 * PubliclyAccessible=true again to undo.
 */

export interface PublicDatabaseTarget {
  identifier: string;
  region: string;
}

export interface PublicDatabaseState {
  publiclyAccessible: boolean;
}

const EVENTS = ["CreateDBInstance", "ModifyDBInstance", "RestoreDBInstanceFromDBSnapshot"];
const LIMITS = {
  ModifyDBCluster:
    "ModifyDBCluster cannot change PubliclyAccessible (a Multi-AZ DB cluster's is set at creation; an Aurora cluster's instances carry their own): review the cluster and its instances by hand",
};

export const disablePublicAccessPlanner: ActionPlanner<PublicDatabaseTarget, PublicDatabaseState> = {
  id: "rds-disable-public-access",
  description: "Make the RDS DB instance private again (ModifyDBInstance PubliclyAccessible=false).",
  permissions: ["rds:DescribeDBInstances", "rds:ModifyDBInstance"],
  // Clients that reach the database over the internet lose it (RDS drops the public address).
  destructive: true,
  resolve(incident) {
    const facts = incident.facts;
    const undone = undoneEvent(facts, EVENTS, LIMITS, "PubliclyAccessible=false");
    if (!undone.ok) return undone;
    if (!ID_PATTERNS.region.test(incident.region)) return notApplicable("the incident names no valid region");
    const instance = parseRdsName(facts.dbInstanceIdentifier, incident.region, incident.account, ["db"]);
    if (instance) return ok({ identifier: instance.identifier, region: instance.region });
    return notApplicable("the incident's facts name no DB instance of this account");
  },
  label: (target) => `RDS DB instance ${target.identifier} (${target.region})`,
  describe: ({ target }) =>
    `Make RDS DB instance ${target.identifier} in ${target.region} private (PubliclyAccessible=false, which RDS applies at once): clients outside its VPC lose access; set PubliclyAccessible=true again to undo.`,
  assume: () => ({ publiclyAccessible: true }),
  plan: ({ target, state }) =>
    state.publiclyAccessible
      ? [
          awsCall(
            "rds",
            "ModifyDBInstance",
            { DBInstanceIdentifier: target.identifier, PubliclyAccessible: false },
            target.region,
          ),
        ]
      : [],
};
