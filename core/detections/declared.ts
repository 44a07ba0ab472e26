import type { DeclaredDetection } from "./declare.js";
import { consoleLoginWithoutMfa } from "./identity/console-login-without-mfa.js";
import { federationProviderChanged } from "./identity/federation-provider-changed.js";
import { iamAdminPolicyAttached } from "./identity/iam-admin-policy-attached.js";
import { iamKeyQuarantined } from "./identity/iam-key-quarantined.js";
import { iamRoleTrustOpened } from "./identity/iam-role-trust-opened.js";
import { organizationLeave } from "./identity/organization-leave.js";

/**
 * The declared detections (`declare.ts`), one file each; `catalog.ts` places them in the order of
 * `core/model/catalog.ts`, so the order here does not matter.
 */
export const DECLARED_DETECTIONS: readonly DeclaredDetection[] = [
  organizationLeave,
  iamAdminPolicyAttached,
  iamRoleTrustOpened,
  iamKeyQuarantined,
  federationProviderChanged,
  consoleLoginWithoutMfa,
];
