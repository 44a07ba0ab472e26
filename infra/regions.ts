import type { RiposteConfig } from "../core/config/schema.js";
import { memberForwardingPattern, memberForwardingRuleState } from "./organization.js";
import type { DeployedRule } from "./rules.js";
import { TARGET_RETRY_POLICY } from "./rules.js";

/**
 * Watching other regions. EventBridge delivers a CloudTrail management event in the region where
 * the call happened, and calls to global services (IAM, STS, console sign-in) in us-east-1, so a
 * deployment in one region is blind to the rest. For each watched region the stacks create one
 * rule there that forwards every event type a deployed rule matches to the home region's default
 * bus, where the detection rules run on it unchanged (the event keeps its `region`, so
 * `unusual-region` sees where the call was made, and its principal, so loop prevention still holds).
 */

export interface RegionForwarding {
  /** The region the forwarding rule lives in. */
  region: string;
  /** The rule's event pattern (JSON text). */
  pattern: string;
  state: "ENABLED" | "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS";
}

/** The watched regions other than the home one, each once, in the configured order. */
export function watchedRegions(config: RiposteConfig, homeRegion: string): string[] {
  return [...new Set(config.aws.watchRegions)].filter((region) => region !== homeRegion);
}

/** A watched region that is the home one: the deploy refuses it (its events already arrive). */
export function homeRegionWatchedProblem(region: string, homeRegion: string): string | undefined {
  return region === homeRegion
    ? `aws.watchRegions lists ${region}, the region Riposte is deployed to: remove it`
    : undefined;
}

/** One forwarding rule per watched region, built from the deployed rules. */
export function regionForwardings(
  config: RiposteConfig,
  homeRegion: string,
  rules: readonly DeployedRule[],
): RegionForwarding[] {
  const regions = watchedRegions(config, homeRegion);
  if (regions.length === 0 || rules.length === 0) return [];
  const rule = forwardingRule(rules);
  return regions.map((region) => ({ region, ...rule }));
}

/** What each region's forwarding rule matches, and its state (the same in every region). */
export function forwardingRule(rules: readonly DeployedRule[]): Omit<RegionForwarding, "region"> {
  return { pattern: JSON.stringify(memberForwardingPattern(rules)), state: memberForwardingRuleState(rules) };
}

/** The home region's default bus: where the watched regions forward to, and the rules run. */
export function defaultBusArn(partition: string, region: string, account: string): string {
  return `arn:${partition}:events:${region}:${account}:event-bus/default`;
}

/** The forwarding rules' role may put events on the home default bus, and nothing else. */
export function regionForwardingRolePolicy(busArn: string) {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "ForwardToHomeRegion", Effect: "Allow", Action: "events:PutEvents", Resource: busArn }],
  };
}

/** How the forwarding target in a watched region delivers: retried, then kept in that region's queue. */
export function forwardingDelivery<Arn>(deadLetterQueueArn: Arn) {
  return { retryPolicy: { ...TARGET_RETRY_POLICY }, deadLetterConfig: { arn: deadLetterQueueArn } };
}

/** The policy of a watched region's dead-letter queue: only that region's forwarding rule sends to it. */
export function forwardingDeadLetterPolicy(queueArn: string, forwardingRuleArn: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "UndeliveredForwarding",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: queueArn,
        Condition: { ArnEquals: { "aws:SourceArn": forwardingRuleArn } },
      },
    ],
  };
}

/**
 * Where each partition's global services (IAM, STS, console sign-in, Organizations…) deliver their
 * events to EventBridge: a deployment elsewhere sees them only by watching that region.
 */
export const GLOBAL_EVENTS_REGION: Readonly<Record<string, string>> = {
  aws: "us-east-1",
  "aws-us-gov": "us-gov-west-1",
  "aws-cn": "cn-north-1",
};

const GLOBAL_DETAIL_TYPES = new Set(["AWS Console Sign In via CloudTrail"]);

/** The event sources and types a pattern names positively (`anything-but` names nothing it wants). */
function namedValues(pattern: unknown, into: { sources: Set<string>; types: Set<string> }): void {
  if (Array.isArray(pattern)) {
    for (const item of pattern) namedValues(item, into);
    return;
  }
  if (pattern === null || typeof pattern !== "object") return;
  for (const [key, value] of Object.entries(pattern)) {
    if ((key === "source" || key === "eventSource" || key === "detail-type") && Array.isArray(value)) {
      for (const item of value) {
        if (typeof item !== "string") continue;
        if (key === "detail-type") into.types.add(item);
        else into.sources.add(key === "source" ? `${item.slice(4)}.amazonaws.com` : item);
      }
    } else namedValues(value, into);
  }
}

/** The deployed detections whose events come from a global service (so arrive in its region only). */
export function globalEventDetections(config: RiposteConfig, rules: readonly DeployedRule[]): string[] {
  const global = new Set(config.thresholds.unusualRegion.globalServices);
  return rules
    .filter((rule) => {
      const named = { sources: new Set<string>(), types: new Set<string>() };
      namedValues(JSON.parse(rule.pattern), named);
      return [...named.sources].some((s) => global.has(s)) || [...named.types].some((t) => GLOBAL_DETAIL_TYPES.has(t));
    })
    .flatMap((rule) => rule.detections);
}

/**
 * A deployment outside its partition's global-events region that does not watch that region never
 * sees IAM, STS or console sign-in events: its identity detections would be silently blind. The
 * problem names the setting and the detections; none when the deployment sees those events.
 */
export function globalEventsProblem(
  config: RiposteConfig,
  where: { partition: string; homeRegion: string },
  rules: readonly DeployedRule[],
): string | undefined {
  const globalRegion = GLOBAL_EVENTS_REGION[where.partition];
  if (!globalRegion || where.homeRegion === globalRegion || config.aws.watchRegions.includes(globalRegion)) {
    return undefined;
  }
  const blind = globalEventDetections(config, rules);
  if (blind.length === 0) return undefined;
  return `aws.watchRegions must include ${globalRegion}: Riposte is deployed to ${where.homeRegion}, and IAM, STS and console sign-in events arrive only in ${globalRegion}, so ${blind.join(", ")} would miss every one of them`;
}
