import type { RiposteConfig } from "../config/schema.js";
import { cloudTrailDraft } from "../detections/draft.js";
import { identityFacts, isObject, type Json, principalOf, quote, str } from "../detections/record.js";
import { detectionPattern } from "../detections/specs.js";
import type { StatefulDetection, StatelessDetection } from "../detections/types.js";
import type { EventEnvelope } from "../model/event.js";
import type { RuleId } from "../model/rule-id.js";
import { compilePattern } from "../patterns/compile.js";
import { copyJson } from "../patterns/copy-json.js";
import { matches } from "../patterns/match.js";
import { type CompiledCondition, ruleCondition } from "./condition.js";
import { correlatedRule } from "./correlated.js";
import type { UserRule } from "./format.js";

/** What a rule without an ATT&CK technique shows where one is expected. */
const NO_TECHNIQUE = { id: "-", name: "no ATT&CK technique named" };
const DEFAULT_WHY = "A rule of this deployment's own rules directory: see its description and references.";
const DEFAULT_TUNING = "Edit the rule file: narrow its pattern or add a condition; remove the file to switch it off.";

/** The first resource ARN the record lists ("" when none). */
function resourceOf(record: Json): string {
  const resources = record.resources;
  if (!Array.isArray(resources)) return "";
  for (const resource of resources) {
    if (isObject(resource)) {
      const arn = str(resource.ARN) || str(resource.arn);
      if (arn) return arn;
    }
  }
  return "";
}

/** What a rule's findings carry of its declaration (`Finding.rule`). */
function declaredOf(rule: UserRule) {
  return { response: rule.response, ...(rule.attack ? { attack: rule.attack } : {}), asff: rule.asff ?? ["TTPs"] };
}

function textOf(rule: UserRule) {
  return {
    id: rule.id,
    title: rule.title,
    category: rule.category,
    severity: rule.severity,
    attack: rule.attack ?? NO_TECHNIQUE,
    description: rule.description,
    why: rule.why ?? DEFAULT_WHY,
    tuning: rule.tuning ?? DEFAULT_TUNING,
    response: rule.response,
  };
}

/** The facts every finding of a rule names: the call and its actor. */
function callFacts(record: Json): { summary: string; facts: Record<string, unknown> } {
  const eventSource = str(record.eventSource);
  const eventName = str(record.eventName);
  return {
    summary: `${quote(principalOf(record) || "unknown principal")} called ${quote(eventSource || "?", 60)} ${quote(eventName || "?", 60)}`,
    facts: { eventName, eventSource, ...identityFacts(record) },
  };
}

/**
 * A user's rule as the engine runs it: a stateless detection whose pattern is the rule's (loop
 * prevention added by the engine like for every detection) and whose check is the rule's
 * condition; or, for a rule with a `correlation`, a stateful one counting those events
 * (`correlated.ts`). Its findings name the rule's id and carry what the rule declares (`Finding.rule`).
 */
export function ruleDetection(rule: UserRule): StatelessDetection<RuleId> | StatefulDetection<RuleId> {
  if (rule.correlation) return correlatedRule(rule, rule.correlation, declaredOf(rule), textOf(rule));
  // Compiled at its first test: a scan's reader thread never tests the many rules about calls its
  // logs do not hold.
  let compiled: CompiledCondition | undefined | null = null;
  const condition = (record: Json): boolean => {
    if (compiled === null) compiled = ruleCondition(rule.condition, rule.pattern);
    return compiled === undefined || compiled(record);
  };
  const declared = declaredOf(rule);
  return {
    ...textOf(rule),
    stateful: false,
    buildPattern: () => copyJson(rule.pattern),
    ...(rule.condition ? { qualifies: (record: Json) => isObject(record) && condition(record) } : {}),
    evaluate(envelope) {
      const record = envelope.detail as Json;
      if (!isObject(record)) return undefined;
      if (rule.condition && !condition(record)) return undefined;
      const { summary, facts } = callFacts(record);
      const draft = cloudTrailDraft(envelope, { resource: resourceOf(record), summary, facts });
      return { ...draft, rule: declared };
    },
  };
}

/**
 * Which of `rules` fire on one EventBridge event, as the engine would decide it (the rule's
 * pattern with loop prevention, then its condition): for `riposte rules test --rules`. A
 * correlated rule is listed on each event it counts (it fires once enough of them are seen).
 */
export function firingRules(rules: readonly UserRule[], config: RiposteConfig): (event: EventEnvelope) => RuleId[] {
  const compiled = rules.map((rule) => {
    const spec = ruleDetection(rule);
    const condition = ruleCondition(rule.condition, rule.pattern);
    return { id: rule.id, condition, pattern: compilePattern(detectionPattern(spec, config)) };
  });
  return (event) =>
    compiled
      .filter(
        ({ condition, pattern }) =>
          matches(pattern, event) && isObject(event.detail) && (!condition || condition(event.detail)),
      )
      .map(({ id }) => id);
}
