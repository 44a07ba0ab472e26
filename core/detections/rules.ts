import type { RiposteConfig } from "../config/schema.js";
import type { Category } from "../model/catalog.js";
import type { FindingDetection } from "../model/incident.js";
import { ruleDetection } from "../rules/detection.js";
import type { UserRule } from "../rules/format.js";
import { CATALOG, detectionPattern, isEnabled, statePattern } from "./catalog.js";
import type { EventPattern } from "./types.js";

export interface EventBridgeRule {
  /** A built-in detection's id, or a user's rule's (`RuleId`). */
  detection: FindingDetection;
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
  /** A user's rule (a rules directory) rather than a built-in detection. */
  userRule?: true;
}

/**
 * One EventBridge rule per enabled detection, as deployed on AWS, then one per user's rule (its
 * pattern with the same loop prevention, through the same `detectionPattern`).
 */
export function eventBridgeRules(config: RiposteConfig, userRules: readonly UserRule[] = []): EventBridgeRule[] {
  const builtIn = CATALOG.filter((definition) => isEnabled(definition.id, config)).map(
    (definition): EventBridgeRule => {
      const fire = detectionPattern(definition, config);
      const learn = statePattern(definition, config);
      return {
        detection: definition.id,
        category: definition.category,
        stateful: definition.stateful,
        pattern: learn ? { $or: [fire, learn] } : fire,
        readOnlyCalls: definition.readOnlyCalls === true,
      };
    },
  );
  const own = userRules.map((rule): EventBridgeRule => {
    const pattern = detectionPattern(ruleDetection(rule), config);
    return {
      detection: rule.id,
      category: rule.category,
      // A correlated rule's events go to the correlate function, which keeps the counts.
      stateful: rule.correlation !== undefined,
      pattern,
      readOnlyCalls: mayMatchReadOnlyCalls(rule.pattern),
      userRule: true,
    };
  });
  return [...builtIn, ...own];
}

/**
 * The read-only calls EventBridge delivers only to rules in the
 * `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS` state are those whose names start with these
 * (EventBridge User Guide, "Receiving read-only management events from AWS services").
 */
const READ_ONLY_VERBS = ["Describe", "Get", "List"];

function mayNameReadOnly(condition: unknown): boolean {
  if (typeof condition === "string") return READ_ONLY_VERBS.some((verb) => condition.startsWith(verb));
  if (condition === null || typeof condition !== "object") return false;
  const operator = condition as Record<string, unknown>;
  if (typeof operator.prefix === "string") {
    const prefix = operator.prefix;
    return READ_ONLY_VERBS.some((verb) => verb.startsWith(prefix) || prefix.startsWith(verb));
  }
  if (typeof operator["equals-ignore-case"] === "string") {
    const name = operator["equals-ignore-case"].toLowerCase();
    return READ_ONLY_VERBS.some((verb) => name.startsWith(verb.toLowerCase()));
  }
  // suffix, wildcard, anything-but, exists, a case-insensitive prefix: any name could match.
  return true;
}

/**
 * Whether a user's rule pattern may select a Describe/Get/List call (so needs the state that
 * receives them): any `detail.eventName` it allows starts with one of those verbs, or it does not
 * pin `eventName` (in some `$or` branch). A pattern that says `readOnly: [false]` never does.
 * Erring towards yes costs nothing but the events the pattern already selects.
 */
export function mayMatchReadOnlyCalls(pattern: Record<string, unknown>): boolean {
  const branches = Array.isArray(pattern.$or) ? (pattern.$or as Record<string, unknown>[]) : [{}];
  return branches.some((branch) => {
    const detail = { ...(pattern.detail as object | undefined), ...(branch.detail as object | undefined) } as Record<
      string,
      unknown
    >;
    const branchDetails = Array.isArray(detail.$or) ? (detail.$or as Record<string, unknown>[]) : [{}];
    return branchDetails.some((inner) => {
      const fields = { ...detail, ...inner };
      if (JSON.stringify(fields.readOnly) === "[false]") return false;
      const names = fields.eventName;
      if (!Array.isArray(names)) return true;
      return names.some(mayNameReadOnly);
    });
  });
}
