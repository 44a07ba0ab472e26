/** Riposte's detection catalog and engine. */
export {
  CATALOG,
  createDetectionSpecs,
  type DetectionDefinition,
  type DetectionSpec,
  detectionPattern,
  getDetection,
  isEnabled,
  statePattern,
} from "./catalog.js";
export type { ResourceDescriber } from "./describe.js";
export { ec2Describer } from "./describe-ec2.js";
export { createDetectionEngine, type DetectionEngine, type DetectionEngineOptions } from "./engine.js";
export { renderDetectionReference } from "./reference.js";
export { findingJson, summaryText, tableHeader, tableRow, terminalSafe } from "./report.js";
export { type EventBridgeRule, eventBridgeRules } from "./rules.js";
export { type ScanOptions, type ScanProgress, type ScanSummary, scanFiles } from "./scan.js";
export { findingFromEvent } from "./stateless.js";
export type { DetectionResponse, EventPattern } from "./types.js";
