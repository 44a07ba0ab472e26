import type { RiposteConfig } from "../config/schema.js";
import type { Category, DetectionId } from "../model/catalog.js";
import { CATALOG, detectionPattern, isEnabled, statePattern } from "./catalog.js";
import type { EventPattern } from "./types.js";

export interface EventBridgeRule {
  detection: DetectionId;
  category: Category;
  stateful: boolean;
  /**
   * Stateless: the detection's pattern (the rule starts the category's workflow). Stateful: the
   * candidate events routed to the correlate function — the events that can fire (loop prevention
   * included) or, as a second `$or` branch, the events it only learns from (any principal).
   */
  pattern: EventPattern;
  /** The detection watches read-only calls (see `DetectionText.readOnlyCalls`). */
  readOnlyCalls: boolean;
}

/** One EventBridge rule per enabled detection, as deployed on AWS. */
export function eventBridgeRules(config: RiposteConfig): EventBridgeRule[] {
  return CATALOG.filter((definition) => isEnabled(definition.id, config)).map((definition) => {
    const fire = detectionPattern(definition, config);
    const learn = statePattern(definition, config);
    return {
      detection: definition.id,
      category: definition.category,
      stateful: definition.stateful,
      pattern: learn ? { $or: [fire, learn] } : fire,
      readOnlyCalls: definition.readOnlyCalls === true,
    };
  });
}
