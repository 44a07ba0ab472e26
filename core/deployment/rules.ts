import type { RiposteConfig } from "../config/schema.js";
import { CATALOG, detectionPattern, isEnabled, statePattern } from "../detections/catalog.js";
import type { EventPattern } from "../detections/types.js";
import type { Category } from "../model/catalog.js";
import type { FindingDetection } from "../model/incident.js";
import { FORWARD_RULE_ID, toolRuleId } from "../model/rule-names.js";
import { compilePattern } from "../patterns/compile.js";
import { matches } from "../patterns/match.js";
import { ruleDetection } from "../rules/detection.js";
import type { UserRule } from "../rules/format.js";

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

/**
 * A read-only API call as EventBridge delivers it (an IAM user's access key, from the internet):
 * a rule whose pattern matches it wants read-only management events.
 */
const READ_ONLY_CALL = {
  version: "0",
  id: "00000000-0000-4000-8000-000000000000",
  "detail-type": "AWS API Call via CloudTrail",
  source: "aws.ec2",
  account: "111122223333",
  time: "2026-01-01T00:00:00Z",
  region: "eu-west-1",
  resources: [],
  detail: {
    eventVersion: "1.09",
    eventSource: "ec2.amazonaws.com",
    eventName: "DescribeInstances",
    eventType: "AwsApiCall",
    readOnly: true,
    awsRegion: "eu-west-1",
    sourceIPAddress: "198.51.100.7",
    userAgent: "aws-cli/2",
    userIdentity: {
      type: "IAMUser",
      arn: "arn:aws:iam::111122223333:user/reader",
      accountId: "111122223333",
      accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      userName: "reader",
    },
  },
};

/**
 * Whether a pattern selects read-only API calls of any service (the baseline detections). A
 * detection that watches particular read-only calls says so itself (`readOnlyCalls`).
 */
export function selectsReadOnlyCalls(pattern: EventPattern): boolean {
  return matches(compilePattern(pattern), READ_ONLY_CALL);
}

/**
 * Whether a deployed rule wants read-only management events (Get/List/Describe), which
 * EventBridge delivers only to rules in the `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS` state:
 * when the configuration asks for them, for detections that watch read-only calls or whose
 * pattern selects them.
 */
export function wantsReadOnlyEvents(config: RiposteConfig, rule: Pick<EventBridgeRule, "pattern" | "readOnlyCalls">) {
  return config.aws.readOnlyManagementEvents && (rule.readOnlyCalls || selectsReadOnlyCalls(rule.pattern));
}

/** The states a deployment gives its rules. */
export type DeclaredRuleState = "ENABLED" | "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS";

/**
 * The state a deployment of `config` declares the rule named `name` with (`<stage>-riposte-<id>`,
 * any stage): a detection's rule (the combined read-only rule carries its first detection's
 * name), or the forwarding rule of a watched region, which wants read-only events when any rule
 * does. Undefined for a name this configuration deploys no rule under (another tool's rule, a
 * detection disabled here, a name cut to fit).
 */
export function declaredRuleState(config: RiposteConfig, name: string): DeclaredRuleState | undefined {
  const id = toolRuleId(name);
  if (id === undefined) return undefined;
  const rules = eventBridgeRules(config);
  const state = (readOnly: boolean): DeclaredRuleState =>
    readOnly ? "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" : "ENABLED";
  if (id === FORWARD_RULE_ID) {
    return rules.length > 0 ? state(rules.some((rule) => wantsReadOnlyEvents(config, rule))) : undefined;
  }
  const rule = rules.find((candidate) => candidate.detection === id);
  return rule ? state(wantsReadOnlyEvents(config, rule)) : undefined;
}
