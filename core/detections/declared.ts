import type { DeclaredDetection } from "./declare.js";
import { organizationLeave } from "./identity/organization-leave.js";
import { amiShared } from "./storage/ami-shared.js";
import { ebsSnapshotShared } from "./storage/ebs-snapshot-shared.js";
import { rdsInstancePublic } from "./storage/rds-instance-public.js";
import { rdsSnapshotShared } from "./storage/rds-snapshot-shared.js";
import { resourcePolicyPublic } from "./storage/resource-policy-public.js";
import { s3ReplicationExternal } from "./storage/s3-replication-external.js";

/**
 * The declared detections (`declare.ts`), one file each; `catalog.ts` places them in the order of
 * `core/model/catalog.ts`, so the order here does not matter.
 */
export const DECLARED_DETECTIONS: readonly DeclaredDetection[] = [
  organizationLeave,
  ebsSnapshotShared,
  rdsSnapshotShared,
  amiShared,
  rdsInstancePublic,
  resourcePolicyPublic,
  s3ReplicationExternal,
];
