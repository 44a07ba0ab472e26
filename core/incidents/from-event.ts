import type { RiposteConfig } from "../config/schema.js";
import { InvalidInput } from "../errors.js";
import type { DetectionId } from "../model/catalog.js";
import type { EventEnvelope } from "../model/event.js";
import type { Finding } from "../model/incident.js";
import { NoFinding } from "./errors.js";

/**
 * The finding in one event a deployed EventBridge rule selected (`{ detection, event }` input):
 * the detection's stateless logic runs on it, since the rule's pattern is only a pre-filter.
 */
export function findingFromRuleEvent(detection: DetectionId, event: EventEnvelope, config: RiposteConfig): Finding {
  void config;
  void event;
  throw new InvalidInput(`workflow input for ${detection}: events from EventBridge rules are not supported yet`);
}

export { NoFinding };
