import type { RiposteConfig } from "../config/schema.js";
import type { DetectionId } from "../model/catalog.js";
import type { EventEnvelope } from "../model/event.js";
import type { Finding } from "../model/incident.js";
import { type CompiledPattern, compilePattern } from "../patterns/compile.js";
import { matches } from "../patterns/match.js";
import { detectionPattern, getDetection } from "./catalog.js";
import { completeFinding } from "./draft.js";

const compiled = new WeakMap<RiposteConfig, Map<DetectionId, CompiledPattern>>();

function patternFor(id: DetectionId, config: RiposteConfig): CompiledPattern {
  let byId = compiled.get(config);
  if (!byId) {
    byId = new Map();
    compiled.set(config, byId);
  }
  let pattern = byId.get(id);
  if (!pattern) {
    pattern = compilePattern(detectionPattern(getDetection(id), config));
    byId.set(id, pattern);
  }
  return pattern;
}

/**
 * The finding a stateless detection makes of one EventBridge event — what the workflow's first
 * task calls when a deployed rule starts an execution. The rule's pattern is only a pre-filter:
 * the event must match the detection's pattern (loop prevention included) and pass its check.
 * Undefined when it does not qualify, or when the detection is stateful (those findings come from
 * the engine) or disabled.
 */
export function findingFromEvent(id: DetectionId, envelope: EventEnvelope, config: RiposteConfig): Finding | undefined {
  const detection = getDetection(id);
  if (detection.stateful || config.detections[id]?.enabled === false) return undefined;
  if (!matches(patternFor(id, config), envelope)) return undefined;
  const draft = detection.evaluate(envelope, config);
  return draft ? completeFinding(detection, draft) : undefined;
}
