import type { NetworkFacts, SgRule } from "../../model/facts.js";
import { describePorts, describeRange, exposedRiskyPorts } from "../../risk/sg-rules.js";
import { apiCalls, NO_ERROR } from "../pattern-helpers.js";
import type { CorrelationContext, EventPattern } from "../types.js";
import type { GroupState } from "./tracker.js";

/** What the security group correlators share: the technique, the opening calls, a finding's text and facts. */

export const FIREWALL = { id: "T1562.007", name: "Impair Defenses: Disable or Modify Cloud Firewall" };
export const OPENING_CALLS = ["AuthorizeSecurityGroupIngress", "ModifySecurityGroupRules"];
export const openingPattern = (): EventPattern => apiCalls("aws.ec2", OPENING_CALLS, NO_ERROR);

export function rulesText(rules: readonly SgRule[]): string {
  return rules.map((rule) => `${describePorts(rule)} from ${describeRange(rule)}`).join(", ");
}

export function networkFacts(
  group: GroupState,
  rules: SgRule[],
  context: CorrelationContext,
  extra: Partial<NetworkFacts> = {},
): NetworkFacts {
  const facts: NetworkFacts = {
    groupId: group.groupId,
    rules,
    riskyPorts: [...new Set(rules.flatMap((rule) => exposedRiskyPorts(rule, context.config)))].sort((a, b) => a - b),
    ...extra,
  };
  if (group.name) facts.groupName = group.name;
  if (group.vpcId) facts.vpcId = group.vpcId;
  if (Object.keys(group.tags).length > 0) facts.tags = group.tags;
  return facts;
}
