import type { DeclaredCorrelation } from "./correlate.js";
import type { DeclaredDetection } from "./declare.js";
import { consoleLoginWithoutMfa } from "./identity/console-login-without-mfa.js";
import { federationProviderChanged } from "./identity/federation-provider-changed.js";
import { iamAdminPolicyAttached } from "./identity/iam-admin-policy-attached.js";
import { iamKeyQuarantined } from "./identity/iam-key-quarantined.js";
import { iamRoleTrustOpened } from "./identity/iam-role-trust-opened.js";
import { organizationLeave } from "./identity/organization-leave.js";
import { secretsBulkRead } from "./identity/secrets-bulk-read.js";
import { configRecordingStopped } from "./logging/config-recording-stopped.js";
import { eventbridgeRuleDisabled } from "./logging/eventbridge-rule-disabled.js";
import { flowLogsDeleted } from "./logging/flow-logs-deleted.js";
import { guarddutyDisabled } from "./logging/guardduty-disabled.js";
import { guarddutySuppressed } from "./logging/guardduty-suppressed.js";
import { logDeletion } from "./logging/log-deletion.js";
import { securityhubDisabled } from "./logging/securityhub-disabled.js";
import { ec2GpuLaunch } from "./network/ec2-gpu-launch.js";
import { ec2UserdataModified } from "./network/ec2-userdata-modified.js";
import { lambdaUrlPublic } from "./network/lambda-url-public.js";
import { naclAllowAll } from "./network/nacl-allow-all.js";
import { route53DomainTransfer } from "./network/route53-domain-transfer.js";
import { amiShared } from "./storage/ami-shared.js";
import { backupDeleted } from "./storage/backup-deleted.js";
import { ebsDefaultEncryptionDisabled } from "./storage/ebs-default-encryption-disabled.js";
import { ebsSnapshotShared } from "./storage/ebs-snapshot-shared.js";
import { kmsKeyDeletion } from "./storage/kms-key-deletion.js";
import { rdsInstancePublic } from "./storage/rds-instance-public.js";
import { rdsProtectionRemoved } from "./storage/rds-protection-removed.js";
import { rdsSnapshotShared } from "./storage/rds-snapshot-shared.js";
import { resourcePolicyPublic } from "./storage/resource-policy-public.js";
import { s3ReplicationExternal } from "./storage/s3-replication-external.js";
import { s3VersioningSuspended } from "./storage/s3-versioning-suspended.js";

/**
 * The declared detections (`declare.ts`) and correlations (`correlate.ts`), one file each;
 * `catalog.ts` places them in the order of `core/model/catalog.ts`, so the order here does not matter.
 */
export const DECLARED_DETECTIONS: readonly (DeclaredDetection | DeclaredCorrelation)[] = [
  organizationLeave,
  lambdaUrlPublic,
  naclAllowAll,
  route53DomainTransfer,
  ec2UserdataModified,
  ec2GpuLaunch,
  s3VersioningSuspended,
  kmsKeyDeletion,
  rdsProtectionRemoved,
  backupDeleted,
  ebsDefaultEncryptionDisabled,
  ebsSnapshotShared,
  rdsSnapshotShared,
  amiShared,
  rdsInstancePublic,
  resourcePolicyPublic,
  s3ReplicationExternal,
  guarddutyDisabled,
  guarddutySuppressed,
  securityhubDisabled,
  configRecordingStopped,
  eventbridgeRuleDisabled,
  flowLogsDeleted,
  logDeletion,
  iamAdminPolicyAttached,
  iamRoleTrustOpened,
  iamKeyQuarantined,
  federationProviderChanged,
  consoleLoginWithoutMfa,
  secretsBulkRead,
];
