import type { SgRule } from "../../model/facts.js";
import { cloudTrailDraft } from "../draft.js";
import { apiCalls, NO_ERROR } from "../pattern-helpers.js";
import { quote } from "../record.js";
import { withScanHints } from "../scan-hints.js";
import type { CorrelationContext, StatefulDetection } from "../types.js";
import { FIREWALL, networkFacts, OPENING_CALLS, rulesText } from "./group-findings.js";
import { type GroupState, isProduction, NETWORK_TRACKER, trackerPattern } from "./tracker.js";

async function groupTags(group: GroupState, change: { account: string; region: string }, context: CorrelationContext) {
  if (Object.keys(group.tags).length > 0 || group.createdAt !== undefined || !context.describe?.securityGroup)
    return group.tags;
  try {
    const described = await context.describe.securityGroup(group.groupId, change);
    return described?.tags ?? group.tags;
  } catch (error) {
    context.logger.warn("describing a security group failed", { groupId: group.groupId, error });
    return group.tags;
  }
}

export const sgProdTagViolation: StatefulDetection = withScanHints(
  {
    id: "sg-prod-tag-violation",
    title: "World-open rule on a production security group",
    category: "network",
    severity: "critical",
    attack: FIREWALL,
    stateful: true,
    description:
      "A world-open ingress rule (any port) exists on a group tagged as production (`productionTags`: env/environment = prod/production): the rule was added to a production group, or a group with world-open rules was tagged production. Tags come from CreateSecurityGroup and CreateTags events, or are described live when a describer is configured.",
    why: "Production holds the data and the customers; an internet-open rule there is the highest-impact exposure.",
    tuning: "Set `productionTags` to your tagging scheme. Production targets always need approval before remediation.",
    response: { mode: "auto", action: "revoke-sg-rules" },
    buildPattern: () => apiCalls("aws.ec2", [...OPENING_CALLS, "CreateTags"], NO_ERROR),
    buildStatePattern: trackerPattern,
    async correlate(event, context, trigger) {
      const change = context.changed(NETWORK_TRACKER);
      const group = change?.group;
      if (!trigger || !change || !group) return [];
      let rules: SgRule[];
      let how: string;
      if (change.opened.length > 0) {
        const tags = await groupTags(group, change, context);
        if (!isProduction(tags, context.config)) return [];
        group.tags = tags;
        rules = change.opened.map((open) => open.rule);
        how = "was opened to the world";
      } else if (change.becameProduction && group.open.some((open) => !open.byTool)) {
        rules = group.open.filter((open) => !open.byTool).map((open) => open.rule);
        how = "was tagged production while open to the world";
      } else return [];
      const tag = Object.entries(group.tags).find(([key, value]) => isProduction({ [key]: value }, context.config));
      return [
        cloudTrailDraft(event.envelope, {
          resource: group.groupId,
          summary: `Production group ${quote(group.groupId, 64)}${tag ? ` (${quote(`${tag[0]}=${tag[1]}`, 60)})` : ""} ${how} (${rulesText(rules)})`,
          facts: { ...networkFacts(group, rules, context), production: true },
        }),
      ];
    },
  },
  { requiresChange: true },
);
