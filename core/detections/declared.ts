import type { DeclaredDetection } from "./declare.js";
import { organizationLeave } from "./identity/organization-leave.js";
import { configRecordingStopped } from "./logging/config-recording-stopped.js";
import { eventbridgeRuleDisabled } from "./logging/eventbridge-rule-disabled.js";
import { flowLogsDeleted } from "./logging/flow-logs-deleted.js";
import { guarddutyDisabled } from "./logging/guardduty-disabled.js";
import { guarddutySuppressed } from "./logging/guardduty-suppressed.js";
import { logDeletion } from "./logging/log-deletion.js";
import { securityhubDisabled } from "./logging/securityhub-disabled.js";

/**
 * The declared detections (`declare.ts`), one file each; `catalog.ts` places them in the order of
 * `core/model/catalog.ts`, so the order here does not matter.
 */
export const DECLARED_DETECTIONS: readonly DeclaredDetection[] = [
  organizationLeave,
  guarddutyDisabled,
  guarddutySuppressed,
  securityhubDisabled,
  configRecordingStopped,
  eventbridgeRuleDisabled,
  flowLogsDeleted,
  logDeletion,
];
