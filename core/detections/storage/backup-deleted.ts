import { declareDetection, request, response } from "../declare.js";
import { identityFacts, principalOf, quote, str } from "../record.js";

/**
 * AWS Backup takes these names from the request path (`/backup-vaults/{backupVaultName}/
 * recovery-points/{recoveryPointArn}`, `/backup/plans/{backupPlanId}`); CloudTrail logs them as
 * `requestParameters` in lower camel case. DeleteBackupPlan answers with the plan's ARN.
 */
export const backupDeleted = declareDetection({
  id: "backup-deleted",
  title: "AWS Backup vault, recovery point, vault lock or plan deleted",
  category: "storage",
  severity: "high",
  attack: { id: "T1490", name: "Inhibit System Recovery" },
  asff: ["Effects/Data Destruction"],
  description:
    "backup:DeleteBackupVault, DeleteRecoveryPoint, DeleteBackupVaultLockConfiguration or DeleteBackupPlan succeeded.",
  why: "AWS Backup holds the copies an account restores from after ransomware or a destructive intrusion. Deleting recovery points destroys them; removing a vault lock makes them deletable; deleting a plan stops new ones being taken.",
  tuning:
    "Retention clean-up and decommissioning fire too: acknowledge them, or turn the detection off (`detections.backup-deleted.enabled: false`) where scripted deletion of recovery points is routine.",
  response: { mode: "notify" },
  calls: [
    {
      source: "aws.backup",
      names: ["DeleteBackupVault", "DeleteRecoveryPoint", "DeleteBackupVaultLockConfiguration", "DeleteBackupPlan"],
    },
  ],
  match: (record) => {
    const eventName = str(record.eventName);
    const actor = quote(principalOf(record));
    const backupVaultName = str(request(record, "backupVaultName"));
    const vault = quote(backupVaultName || "unknown", 64);
    const common = { eventName, ...identityFacts(record) };
    switch (eventName) {
      case "DeleteRecoveryPoint": {
        const recoveryPointArn = str(request(record, "recoveryPointArn"));
        return {
          resource: recoveryPointArn || `backup-vault/${backupVaultName}`,
          summary: `${actor} deleted recovery point ${quote(recoveryPointArn || "unknown", 160)} from backup vault ${vault}`,
          facts: { ...common, backupVaultName, recoveryPointArn },
        };
      }
      case "DeleteBackupPlan": {
        const backupPlanId = str(request(record, "backupPlanId")) || str(response(record, "backupPlanId"));
        const backupPlanArn = str(response(record, "backupPlanArn"));
        return {
          resource: backupPlanArn || `backup-plan/${backupPlanId}`,
          summary: `${actor} deleted backup plan ${quote(backupPlanId || "unknown", 64)}`,
          facts: { ...common, backupPlanId, ...(backupPlanArn ? { backupPlanArn } : {}) },
        };
      }
      case "DeleteBackupVaultLockConfiguration":
        return {
          resource: `backup-vault/${backupVaultName}`,
          summary: `${actor} removed the vault lock from backup vault ${vault}`,
          facts: { ...common, backupVaultName },
        };
      default:
        return {
          resource: `backup-vault/${backupVaultName}`,
          summary: `${actor} deleted backup vault ${vault}`,
          facts: { ...common, backupVaultName },
        };
    }
  },
});
