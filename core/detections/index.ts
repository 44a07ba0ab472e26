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
export { createDetectionEngine, type DetectionEngine, type DetectionEngineOptions } from "./engine.js";
export { type EventBridgeRule, eventBridgeRules } from "./rules.js";
export { findingFromEvent } from "./stateless.js";
export type { DetectionResponse, EventPattern } from "./types.js";
