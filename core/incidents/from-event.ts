import type { RiposteConfig } from "../config/schema.js";
import { findingFromEvent } from "../detections/stateless.js";
import type { DetectionId } from "../model/catalog.js";
import type { EventEnvelope } from "../model/event.js";
import type { Finding } from "../model/incident.js";
import { NoFinding } from "./errors.js";

/**
 * The finding in one event a deployed EventBridge rule selected (`{ detection, event }` input):
 * the detection's stateless logic runs on it, since the rule's pattern is only a pre-filter.
 * An event that holds no finding (it fails the detection's own check, the detection is off or
 * stateful) is `NoFinding`, which ends the workflow quietly.
 */
export function findingFromRuleEvent(detection: DetectionId, event: EventEnvelope, config: RiposteConfig): Finding {
  const finding = findingFromEvent(detection, event, config);
  if (!finding) throw new NoFinding(`event ${event.id} holds no ${detection} finding`);
  return finding;
}
