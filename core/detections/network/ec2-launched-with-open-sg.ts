import { exposesAlarmingPort } from "../../risk/sg-rules.js";
import { cloudTrailDraft } from "../draft.js";
import { apiCalls, NO_ERROR } from "../pattern-helpers.js";
import { type Json, principalOf, quote } from "../record.js";
import { withScanHints } from "../scan-hints.js";
import type { FindingDraft, StatefulDetection } from "../types.js";
import { FIREWALL, networkFacts, rulesText } from "./group-findings.js";
import { NETWORK_TRACKER, trackerPattern } from "./tracker.js";

export const ec2LaunchedWithOpenSg: StatefulDetection = withScanHints(
  {
    id: "ec2-launched-with-open-sg",
    title: "Instance launched into a world-open security group",
    category: "network",
    severity: "high",
    attack: FIREWALL,
    stateful: true,
    description:
      "RunInstances launched an instance with a security group (in the request's or the response's `groupSet`, or a network interface's) that Riposte knows to allow SSH (tcp/22) or a risky port (`network.riskyPorts`, `network.extraRiskyPorts`) from 0.0.0.0/0 or ::/0.",
    why: "An open group is a latent risk until something runs behind it; a new instance is immediately reachable from the internet.",
    tuning:
      "Only groups whose world-open rules Riposte saw being added count (the launch event does not show rules). A group open to the world only on other ports (443 on a web server) does not fire; remediation revokes only the SSH and risky-port rules.",
    response: { mode: "auto", action: "revoke-sg-rules" },
    buildPattern: () => apiCalls("aws.ec2", ["RunInstances"], NO_ERROR),
    buildStatePattern: trackerPattern,
    async correlate(event, context, trigger) {
      const change = context.changed(NETWORK_TRACKER);
      if (!trigger || !change?.launched) return [];
      const findings: FindingDraft[] = [];
      for (const groupId of change.launched.groupIds) {
        const group = await context.tracker(NETWORK_TRACKER).group(change.account, change.region, groupId, context.now);
        // Only the rules that make the launch dangerous: they are what remediation revokes.
        const open = group?.open.filter((rule) => !rule.byTool && exposesAlarmingPort(rule.rule, context.config)) ?? [];
        if (!group || open.length === 0) continue;
        const rules = open.map((entry) => entry.rule);
        const instances = change.launched.instanceIds;
        const draft = cloudTrailDraft(event.envelope, {
          resource: groupId,
          summary: `${quote(principalOf(event.envelope.detail as Json))} launched ${instances.map((id) => quote(id, 32)).join(", ") || "an instance"} into ${quote(groupId, 64)}, which is open to the world (${rulesText(rules)})`,
          facts: networkFacts(group, rules, context, {
            instanceIds: instances,
            networkInterfaceIds: change.launched.interfaceIds,
          }),
        });
        findings.push({
          ...draft,
          eventIds: [...new Set([...draft.eventIds, ...open.map((entry) => entry.eventId).filter(Boolean)])],
        });
      }
      return findings;
    },
  },
  { requiresChange: true },
);
