import type { DeclaredDetection } from "./declare.js";
import { organizationLeave } from "./identity/organization-leave.js";
import { backupDeleted } from "./storage/backup-deleted.js";
import { ebsDefaultEncryptionDisabled } from "./storage/ebs-default-encryption-disabled.js";
import { kmsKeyDeletion } from "./storage/kms-key-deletion.js";
import { rdsProtectionRemoved } from "./storage/rds-protection-removed.js";
import { s3VersioningSuspended } from "./storage/s3-versioning-suspended.js";

/**
 * The declared detections (`declare.ts`), one file each; `catalog.ts` places them in the order of
 * `core/model/catalog.ts`, so the order here does not matter.
 */
export const DECLARED_DETECTIONS: readonly DeclaredDetection[] = [
  organizationLeave,
  s3VersioningSuspended,
  kmsKeyDeletion,
  rdsProtectionRemoved,
  backupDeleted,
  ebsDefaultEncryptionDisabled,
];
