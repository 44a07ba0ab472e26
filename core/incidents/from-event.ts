import type { RiposteConfig } from "../config/schema.js";
import { detectionPattern } from "../detections/catalog.js";
import { completeFinding } from "../detections/draft.js";
import { findingFromEvent } from "../detections/stateless.js";
import { InvalidInput } from "../errors.js";
import { isDetectionId } from "../model/catalog.js";
import type { EventEnvelope } from "../model/event.js";
import type { Finding, FindingDetection } from "../model/incident.js";
import { compilePattern } from "../patterns/compile.js";
import { matches } from "../patterns/match.js";
import { ruleDetection } from "../rules/detection.js";
import type { UserRule } from "../rules/format.js";
import { NoFinding } from "./errors.js";

/**
 * The finding in one event a deployed EventBridge rule selected (`{ detection, event }` input):
 * the detection's stateless logic runs on it, since the rule's pattern is only a pre-filter.
 * An event that holds no finding (it fails the detection's own check, the detection is off or
 * stateful) is `NoFinding`, which ends the workflow quietly. A user's rule runs the same way from
 * the deployment's rules (`rules`); an id that is neither a built-in detection nor one of those
 * rules is refused as `InvalidInput`: no deployed rule can have sent it.
 */
export function findingFromRuleEvent(
  detection: FindingDetection,
  event: EventEnvelope,
  config: RiposteConfig,
  rules: readonly UserRule[] = [],
): Finding {
  const finding = isDetectionId(detection)
    ? findingFromEvent(detection, event, config)
    : findingOfRule(deployedRule(detection, rules), event, config);
  if (!finding) throw new NoFinding(`event ${event.id} holds no ${detection} finding`);
  return finding;
}

/** The deployment's rule named `id`; `InvalidInput` when it has none. */
export function deployedRule(id: string, rules: readonly UserRule[]): UserRule {
  const rule = rules.find((candidate) => candidate.id === id);
  if (!rule) throw new InvalidInput(`"${id}" is neither a built-in detection nor one of this deployment's rules`);
  return rule;
}

/**
 * A user's rule on one event: its pattern (loop prevention included), then its condition. A
 * correlated rule's findings come from the correlate function (its events are queued): none here.
 */
function findingOfRule(rule: UserRule, event: EventEnvelope, config: RiposteConfig): Finding | undefined {
  const spec = ruleDetection(rule);
  if (spec.stateful) return undefined;
  if (!matches(compilePattern(detectionPattern(spec, config)), event)) return undefined;
  const draft = spec.evaluate(event, config);
  return draft ? completeFinding(spec, draft) : undefined;
}
