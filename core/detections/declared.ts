import type { DeclaredCorrelation } from "./correlate.js";
import type { DeclaredDetection } from "./declare.js";
import { organizationLeave } from "./identity/organization-leave.js";
import { secretsBulkRead } from "./identity/secrets-bulk-read.js";

/**
 * The declared detections (`declare.ts`) and correlations (`correlate.ts`), one file each;
 * `catalog.ts` places them in the order of `core/model/catalog.ts`, so the order here does not matter.
 */
export const DECLARED_DETECTIONS: readonly (DeclaredDetection | DeclaredCorrelation)[] = [
  organizationLeave,
  secretsBulkRead,
];
