import type { DeclaredDetection } from "./declare.js";
import { organizationLeave } from "./identity/organization-leave.js";

/**
 * The declared detections (`declare.ts`), one file each; `catalog.ts` places them in the order of
 * `core/model/catalog.ts`, so the order here does not matter.
 */
export const DECLARED_DETECTIONS: readonly DeclaredDetection[] = [organizationLeave];
