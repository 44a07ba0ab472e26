import { declareDetection, request, response } from "../declare.js";
import { identityFacts, type Json, principalOf, quote, str } from "../record.js";

const RESTORE = "RestoreDBInstanceFromDBSnapshot";

/** `publiclyAccessible: true` (CloudTrail logs a boolean; some re-exports write it as text). */
const isTrue = (value: unknown): boolean =>
  value === true || (typeof value === "string" && value.trim().toLowerCase() === "true");

/** Whether the call left the database publicly accessible, as the conditions read it. */
function madePublic(record: Json): boolean {
  if (isTrue(request(record, "publiclyAccessible"))) return true;
  // A restore inherits the setting of the snapshot's instance unless the request names one.
  return str(record.eventName) === RESTORE && isTrue(response(record, "publiclyAccessible"));
}

export const rdsInstancePublic = declareDetection({
  id: "rds-instance-public",
  title: "RDS database made publicly accessible",
  category: "storage",
  severity: "high",
  attack: { id: "T1133", name: "External Remote Services" },
  asff: ["Software and Configuration Checks/AWS Security Best Practices", "Effects/Data Exposure"],
  description:
    "rds:CreateDBInstance, ModifyDBInstance or ModifyDBCluster requested `publiclyAccessible: true`, or RestoreDBInstanceFromDBSnapshot restored an instance that is publicly accessible (requested, or inherited from the snapshot as the response shows).",
  why: "A publicly accessible database gets an address reachable from the internet: only its security groups and its password stand between it and anyone scanning for database ports. Restoring a snapshot as a public instance is also a way to read a database from outside.",
  tuning:
    "Databases that must be reachable from the internet fire when created or changed: acknowledge them, or turn the detection off for such accounts (`detections.rds-instance-public.enabled: false`). Making a database private never fires. The response makes an instance private again (after approval); a cluster is reported for a person, as ModifyDBCluster takes no PubliclyAccessible.",
  response: { mode: "approval", action: "rds-disable-public-access" },
  calls: [{ source: "aws.rds", names: ["CreateDBInstance", "ModifyDBInstance", "ModifyDBCluster", RESTORE] }],
  match: (record) => {
    if (!madePublic(record)) return undefined;
    const eventName = str(record.eventName);
    const cluster = eventName === "ModifyDBCluster";
    const identifier = str(request(record, cluster ? "dBClusterIdentifier" : "dBInstanceIdentifier"));
    const snapshot = eventName === RESTORE ? str(request(record, "dBSnapshotIdentifier")) : "";
    return {
      resource: identifier,
      summary: `${quote(principalOf(record))} made RDS ${cluster ? "cluster" : "instance"} ${quote(identifier || "unknown", 64)} publicly accessible (${eventName})`,
      facts: {
        eventName,
        ...identityFacts(record),
        ...(cluster ? { dbClusterIdentifier: identifier } : { dbInstanceIdentifier: identifier }),
        ...(snapshot ? { dbSnapshotIdentifier: snapshot } : {}),
      },
    };
  },
});
