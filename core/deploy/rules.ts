import type { RiposteConfig } from "../config/schema.js";
import { eventBridgeRules } from "../detections/rules.js";
import type { EventPattern } from "../detections/types.js";
import type { Category, DetectionId } from "../model/catalog.js";
import { compilePattern } from "../patterns/compile.js";
import { pascalCase } from "./names.js";

/**
 * The EventBridge rules a deployment creates, from the detection catalog: one per enabled
 * detection. A stateless detection's rule starts its category's workflow directly, its input
 * transformed to the workflow input `{ detection, event }` (the open task re-runs the detection's
 * own checks, the pattern being only a pre-filter). A stateful detection's rule sends its
 * candidate events to the correlate queue, where the engine keeps the state between events.
 */

export type RuleTarget = { kind: "workflow"; category: Category; inputTemplate: string } | { kind: "correlate" };

export interface DeployedRule {
  detection: DetectionId;
  category: Category;
  stateful: boolean;
  /** PascalCase, stable: the rule's Pulumi name is `<logicalName>Rule`. */
  logicalName: string;
  /** The event pattern, as EventBridge takes it (JSON text). */
  pattern: string;
  target: RuleTarget;
}

/** EventBridge's default quota on the size of an event pattern, in characters. */
export const MAX_PATTERN_CHARS = 2048;

/**
 * The input transformer template of a stateless rule. `<aws.events.event.json>` is the whole
 * original event, detail included, inserted as a JSON value; the detection id is a catalog
 * constant (kebab-case), so the template is valid JSON for every event.
 */
export function workflowInputTemplate(detection: DetectionId): string {
  if (!/^[a-z0-9-]+$/.test(detection)) throw new Error(`detection id "${detection}" cannot be templated`);
  return `{"detection":"${detection}","event":<aws.events.event.json>}`;
}

/** Refuse a pattern EventBridge would reject or Riposte cannot evaluate the same way. */
function checkedPattern(detection: DetectionId, pattern: EventPattern): string {
  compilePattern(pattern);
  const text = JSON.stringify(pattern);
  if (text.length > MAX_PATTERN_CHARS) {
    throw new Error(
      `the ${detection} pattern is ${text.length} characters, over EventBridge's ${MAX_PATTERN_CHARS}: shorten its configured lists`,
    );
  }
  return text;
}

/** Every rule a deployment of `config` creates, in catalog order. */
export function deployedRules(config: RiposteConfig): DeployedRule[] {
  return eventBridgeRules(config).map((rule) => ({
    detection: rule.detection,
    category: rule.category,
    stateful: rule.stateful,
    logicalName: pascalCase(rule.detection),
    pattern: checkedPattern(rule.detection, rule.pattern),
    target: rule.stateful
      ? { kind: "correlate" }
      : { kind: "workflow", category: rule.category, inputTemplate: workflowInputTemplate(rule.detection) },
  }));
}

/**
 * Whether a pattern keeps out events made by a role named with `prefix`: somewhere in it, a
 * `userName` (session issuer, or GuardDuty's access key user) must be `anything-but` that prefix.
 */
export function hasLoopPrevention(pattern: unknown, prefix: string): boolean {
  if (Array.isArray(pattern)) return pattern.some((item) => hasLoopPrevention(item, prefix));
  if (pattern === null || typeof pattern !== "object") return false;
  for (const [key, value] of Object.entries(pattern)) {
    if (
      key === "userName" &&
      Array.isArray(value) &&
      value.some((condition) => {
        const anythingBut = (condition as { "anything-but"?: { prefix?: unknown } } | null)?.["anything-but"];
        return anythingBut?.prefix === prefix;
      })
    ) {
      return true;
    }
    if (hasLoopPrevention(value, prefix)) return true;
  }
  return false;
}
