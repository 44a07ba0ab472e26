import type { DetectionId } from "../../model/catalog.js";
import { exposedRiskyPorts, exposesAlarmingPort, ruleCoversPort } from "../../risk/sg-rules.js";
import { cloudTrailDraft } from "../draft.js";
import { apiCalls, NO_ERROR } from "../pattern-helpers.js";
import { type Json, principalOf, quote } from "../record.js";
import { withScanHints } from "../scan-hints.js";
import type { CorrelationContext, StatefulDetection } from "../types.js";
import { FIREWALL, networkFacts, rulesText } from "./group-findings.js";
import { NETWORK_TRACKER, type OpenRule, trackerPattern } from "./tracker.js";

const GROUP_LEVEL: DetectionId[] = [
  "sg-created-open",
  "sg-prod-tag-violation",
  "sg-repeated-open",
  "config-sg-open-to-world",
];
/** Detections about a group's SSH and risky-port exposure: resolved once none of that is left. */
const ALARMING_LEVEL: DetectionId[] = ["ec2-launched-with-open-sg"];
const RULE_LEVEL: DetectionId[] = [
  "sg-rule-modified-open",
  "sg-temporary-rule",
  "sg-zombie-rule",
  "sg-open-then-connection",
];
const SSH_LEVEL: DetectionId = "sg-ssh-open-world";
const RISKY_PORT_LEVEL: DetectionId = "sg-high-risk-port-open";

/**
 * Every detection whose incidents a later finding may resolve: those no later in event time than
 * the resolver's, whichever of the two incidents was opened first (core/incidents/resolve.ts).
 */
export const RESOLVABLE_DETECTIONS: ReadonlySet<string> = new Set<DetectionId>([
  ...RULE_LEVEL,
  SSH_LEVEL,
  RISKY_PORT_LEVEL,
  ...ALARMING_LEVEL,
  ...GROUP_LEVEL,
]);

/** The detections whose incidents a removal resolves (specific to what is left open on the group). */
export function resolvedDetections(
  removed: readonly OpenRule[],
  remaining: readonly OpenRule[],
  context: CorrelationContext,
): DetectionId[] {
  const detections = new Set<DetectionId>(RULE_LEVEL);
  const exposes = (rules: readonly OpenRule[], test: (port: number) => boolean) =>
    rules.some((open) => exposedRiskyPorts(open.rule, context.config).some(test));
  if (
    removed.some((open) => ruleCoversPort(open.rule, 22)) &&
    !remaining.some((open) => ruleCoversPort(open.rule, 22))
  ) {
    detections.add(SSH_LEVEL);
  }
  if (exposes(removed, (port) => port !== 22) && !exposes(remaining, (port) => port !== 22)) {
    detections.add(RISKY_PORT_LEVEL);
  }
  const alarming = (rules: readonly OpenRule[]) => rules.some((open) => exposesAlarmingPort(open.rule, context.config));
  if (alarming(removed) && !alarming(remaining)) for (const id of ALARMING_LEVEL) detections.add(id);
  if (remaining.length === 0) for (const id of GROUP_LEVEL) detections.add(id);
  return [...detections];
}

export const sgRiskResolved: StatefulDetection = withScanHints(
  {
    id: "sg-risk-resolved",
    title: "World-open rule removed",
    category: "network",
    severity: "info",
    attack: FIREWALL,
    stateful: true,
    description:
      "A revoke (RevokeSecurityGroupIngress), a modification (ModifySecurityGroupRules) or a group deletion removed an earlier world-open ingress rule. The finding names what it resolves (`resolves`: the group and the detections whose incidents are closed), so incidents of rules opened no later in event time move to RESOLVED, whichever was delivered first (one opened after the revoke's opens RESOLVED).",
    why: "Closing the loop: incidents whose risk someone already removed should not wait for remediation or approval.",
    tuning: "Revocations by Riposte's own role do not fire (their incidents are closed by the workflow itself).",
    response: { mode: "notify" },
    buildPattern: () =>
      apiCalls("aws.ec2", ["RevokeSecurityGroupIngress", "ModifySecurityGroupRules", "DeleteSecurityGroup"], NO_ERROR),
    buildStatePattern: trackerPattern,
    async correlate(event, context, trigger) {
      const change = context.changed(NETWORK_TRACKER);
      if (!trigger || !change?.groupId || change.removed.length === 0) return [];
      const remaining = change.groupDeleted ? [] : (change.group?.open ?? []);
      const rules = change.removed.map((open) => open.rule);
      const detections = resolvedDetections(change.removed, remaining, context);
      const group = change.group ?? { groupId: change.groupId, tags: {}, open: [] };
      const how = change.groupDeleted ? "deleted the group" : "removed";
      const draft = cloudTrailDraft(event.envelope, {
        resource: change.groupId,
        summary:
          `${quote(principalOf(event.envelope.detail as Json))} ${how} ${change.groupDeleted ? `${quote(change.groupId, 64)}, closing` : ""} ${rulesText(rules)}${change.groupDeleted ? "" : ` on ${quote(change.groupId, 64)}`}`.replace(
            /\s+/g,
            " ",
          ),
        facts: networkFacts(group, rules, context, { groupDeleted: change.groupDeleted }),
      });
      const openingIds = change.removed.map((open) => open.eventId).filter(Boolean);
      return [
        {
          ...draft,
          eventIds: [...new Set([...draft.eventIds, ...openingIds])],
          resolves: { resource: change.groupId, detections, facts: { groupId: change.groupId, rules } },
        },
      ];
    },
  },
  { requiresChange: true },
);
