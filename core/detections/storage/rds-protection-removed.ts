import { declareDetection, type Found, request, response } from "../declare.js";
import { identityFacts, type Json, principalOf, quote, str } from "../record.js";

/**
 * RDS logs request and response members in lower camel case (`dBInstanceIdentifier`,
 * `deletionProtection`), booleans as JSON booleans. ModifyDBInstance/ModifyDBCluster responses
 * always carry the resulting `deletionProtection`, so only the request says what the call changed.
 */

/** `deletionProtection: false` in the request (a re-export may write the boolean as a string). */
const turnsProtectionOff = (value: unknown) => value === false || value === "false";

/** An ARN the response gives for the resource, else `<kind>/<name>`. */
function resourceName(record: Json, arnField: string, kind: string, name: string): string {
  const arn = str(response(record, arnField));
  return arn.startsWith("arn:") ? arn : `${kind}/${name}`;
}

function protectionRemoved(record: Json, eventName: string): Found | undefined {
  if (!turnsProtectionOff(request(record, "deletionProtection"))) return undefined;
  const actor = quote(principalOf(record));
  if (eventName === "ModifyDBCluster") {
    const dbClusterIdentifier = str(request(record, "dBClusterIdentifier"));
    return {
      resource: resourceName(record, "dBClusterArn", "cluster", dbClusterIdentifier),
      summary: `${actor} removed deletion protection from DB cluster ${quote(dbClusterIdentifier || "unknown", 64)}`,
      facts: { eventName, ...identityFacts(record), dbClusterIdentifier },
    };
  }
  const dbInstanceIdentifier = str(request(record, "dBInstanceIdentifier"));
  return {
    resource: resourceName(record, "dBInstanceArn", "db", dbInstanceIdentifier),
    summary: `${actor} removed deletion protection from DB instance ${quote(dbInstanceIdentifier || "unknown", 64)}`,
    facts: { eventName, ...identityFacts(record), dbInstanceIdentifier },
  };
}

function snapshotDeleted(record: Json, eventName: string): Found {
  const actor = quote(principalOf(record));
  if (eventName === "DeleteDBClusterSnapshot") {
    const dbClusterSnapshotIdentifier = str(request(record, "dBClusterSnapshotIdentifier"));
    return {
      resource: resourceName(record, "dBClusterSnapshotArn", "cluster-snapshot", dbClusterSnapshotIdentifier),
      summary: `${actor} deleted DB cluster snapshot ${quote(dbClusterSnapshotIdentifier || "unknown", 100)}`,
      facts: { eventName, ...identityFacts(record), dbClusterSnapshotIdentifier },
    };
  }
  const dbSnapshotIdentifier = str(request(record, "dBSnapshotIdentifier"));
  return {
    resource: resourceName(record, "dBSnapshotArn", "snapshot", dbSnapshotIdentifier),
    summary: `${actor} deleted DB snapshot ${quote(dbSnapshotIdentifier || "unknown", 100)}`,
    facts: { eventName, ...identityFacts(record), dbSnapshotIdentifier },
  };
}

/** DeleteDBInstanceAutomatedBackup names the backups by the instance's resource id or by their ARN. */
function automatedBackupDeleted(record: Json, eventName: string): Found {
  const dbiResourceId = str(request(record, "dbiResourceId")) || str(response(record, "dbiResourceId"));
  const dbInstanceAutomatedBackupsArn =
    str(request(record, "dBInstanceAutomatedBackupsArn")) || str(response(record, "dBInstanceAutomatedBackupsArn"));
  const instance = str(response(record, "dBInstanceIdentifier"));
  const named = dbiResourceId || dbInstanceAutomatedBackupsArn || "unknown";
  return {
    resource: dbInstanceAutomatedBackupsArn || `auto-backup/${dbiResourceId}`,
    summary: `${quote(principalOf(record))} deleted the automated backups of DB instance ${quote(instance || named, 100)}`,
    facts: {
      eventName,
      ...identityFacts(record),
      ...(dbiResourceId ? { dbiResourceId } : {}),
      ...(dbInstanceAutomatedBackupsArn ? { dbInstanceAutomatedBackupsArn } : {}),
    },
  };
}

export const rdsProtectionRemoved = declareDetection({
  id: "rds-protection-removed",
  title: "RDS deletion protection removed or backups deleted",
  category: "storage",
  severity: "high",
  attack: { id: "T1490", name: "Inhibit System Recovery" },
  asff: ["Effects/Data Destruction", "Software and Configuration Checks/AWS Security Best Practices"],
  description:
    "rds:ModifyDBInstance or rds:ModifyDBCluster succeeded with deletionProtection false in the request, or a manual snapshot or automated backups were deleted (DeleteDBSnapshot, DeleteDBClusterSnapshot, DeleteDBInstanceAutomatedBackup).",
  why: "Deletion protection is what stops one DeleteDBInstance call from destroying a database; snapshots and automated backups are how it comes back. Removing either is the preparation for destroying or ransoming the data.",
  tuning:
    "Modify requests that do not mention deletionProtection never fire (the event pattern leaves them out), even though their responses report the current setting. Teardown of test databases and snapshot clean-up jobs fire: acknowledge them, or turn the detection off (`detections.rds-protection-removed.enabled: false`) in accounts where that is routine.",
  response: { mode: "auto", action: "rds-enable-deletion-protection" },
  calls: [
    {
      source: "aws.rds",
      names: [
        "ModifyDBInstance",
        "ModifyDBCluster",
        "DeleteDBSnapshot",
        "DeleteDBClusterSnapshot",
        "DeleteDBInstanceAutomatedBackup",
      ],
    },
  ],
  // ModifyDBInstance is frequent: only modify requests that set deletionProtection false reach
  // the code. Every modify call names its instance or cluster; the deletes name neither.
  where: () => ({
    $or: [
      { requestParameters: { deletionProtection: [false, "false"] } },
      { requestParameters: { dBInstanceIdentifier: [{ exists: false }], dBClusterIdentifier: [{ exists: false }] } },
    ],
  }),
  match: (record) => {
    const eventName = str(record.eventName);
    if (eventName === "ModifyDBInstance" || eventName === "ModifyDBCluster")
      return protectionRemoved(record, eventName);
    if (eventName === "DeleteDBInstanceAutomatedBackup") return automatedBackupDeleted(record, eventName);
    return snapshotDeleted(record, eventName);
  },
});
