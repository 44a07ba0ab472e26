import type { RiposteConfig } from "../config/schema.js";
import type { Category, DetectionId } from "../model/catalog.js";
import { FORWARD_RULE_ID, toolRuleId } from "../model/rule-names.js";
import { compilePattern } from "../patterns/compile.js";
import { matches } from "../patterns/match.js";
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
