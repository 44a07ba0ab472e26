import type { RiposteConfig } from "../config/schema.js";
import { memberForwardingPattern, memberForwardingRuleState } from "./organization.js";
import type { DeployedRule } from "./rules.js";

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
