import { defaultConfig } from "../config/defaults.js";
import type { RiposteConfig } from "../config/schema.js";
import { DETECTION_IDS, type DetectionId } from "../model/catalog.js";
import { createDetectionSpecs, type DetectionSpec, detectionPattern } from "./specs.js";
import type { EventPattern } from "./types.js";

/**
 * The catalog: every detection with its EventBridge pattern under the default configuration.
 * Building specs and patterns for a given configuration is `specs.ts` (what a scan's reader
 * threads load, without the configuration's validation).
 */

export {
  createDetectionSpecs,
  type DetectionSpec,
  detectionPattern,
  type EngineSpec,
  statePattern,
} from "./specs.js";

/** A catalog entry: the spec plus its EventBridge pattern under the default configuration. */
export type DetectionDefinition = DetectionSpec & { readonly pattern: EventPattern };

const DEFAULT_CONFIG = defaultConfig();

export const CATALOG: readonly DetectionDefinition[] = Object.freeze(
  createDetectionSpecs().map((spec) => Object.freeze({ ...spec, pattern: detectionPattern(spec, DEFAULT_CONFIG) })),
);

const BY_ID = new Map<string, DetectionDefinition>(CATALOG.map((definition) => [definition.id, definition]));

/** The catalog entry of a detection id; throws naming the valid ids for an unknown one. */
export function getDetection(id: DetectionId | string): DetectionDefinition {
  const definition = BY_ID.get(id);
  if (!definition) throw new Error(`unknown detection id "${id}"; valid ids: ${DETECTION_IDS.join(", ")}`);
  return definition;
}

/** Whether a detection runs under `config` (`detections.<id>.enabled`, default true). */
export function isEnabled(id: DetectionId, config: RiposteConfig): boolean {
  return config.detections[id]?.enabled !== false;
}
