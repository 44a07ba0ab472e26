import type { RiposteConfig } from "../config/schema.js";
import { fromEnvelope } from "../events/normalize.js";
import type { EventEnvelope } from "../model/event.js";
import type { Finding } from "../model/incident.js";
import type { RuleId } from "../model/rule-id.js";
import { firingRules } from "../rules/detection.js";
import type { UserRule } from "../rules/format.js";
import { MemoryCorrelationStore } from "../store/memory-correlation.js";
import { createDetectionEngine } from "./engine.js";

/**
 * `riposte rules test --rules`: users' rules over events given in order, as the engine runs them
 * (`scan` and `serve` alike). A rule fires on an event when it produces a finding there: a plain
 * rule on every event its pattern and condition select, a correlated rule once, on the event that
 * completes its count within the window (per group). An event a correlated rule selects without
 * completing a count is `counted` by it: the user sees what each event contributes.
 */

export interface RuleTestResult {
  /** Rules with a finding on this event, in the rules' order. */
  fired: RuleId[];
  /** Correlated rules that counted this event without firing on it. */
  counted: RuleId[];
}

export interface RuleTester {
  test(event: EventEnvelope): Promise<RuleTestResult>;
  /** End of the events: correlated rules whose windows close there (none fires for a count reached earlier). */
  finish(): Promise<RuleId[]>;
}

export function ruleTester(rules: readonly UserRule[], config: RiposteConfig): RuleTester {
  const order = new Map(rules.map((rule, position) => [rule.id as string, position]));
  const correlated = new Set<string>(rules.filter((rule) => rule.correlation).map((rule) => rule.id));
  const selects = firingRules(rules, config);
  const engine = createDetectionEngine({
    config,
    state: new MemoryCorrelationStore(),
    detections: rules.map((rule) => rule.id),
    rules,
  });
  const firedBy = (findings: readonly Finding[]): RuleId[] =>
    [...new Set(findings.map((finding) => finding.detection as string))]
      .filter((id) => order.has(id))
      .sort((a, b) => order.get(a)! - order.get(b)!) as RuleId[];
  return {
    async test(event) {
      const selected = selects(event);
      const normalized = fromEnvelope(event as unknown as Record<string, unknown>, { positional: false });
      // An envelope Riposte cannot read as an event (not CloudTrail's) runs no detection: what its
      // pattern and condition select is all there is to say.
      const fired =
        "event" in normalized
          ? firedBy(await engine.process(normalized.event))
          : selected.filter((id) => !correlated.has(id));
      return { fired, counted: selected.filter((id) => correlated.has(id) && !fired.includes(id)) };
    },
    async finish() {
      return firedBy(await engine.finish());
    },
  };
}
