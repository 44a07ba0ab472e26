import { cloudTrailDraft } from "../draft.js";
import { quote } from "../record.js";
import { withScanHints } from "../scan-hints.js";
import type { StatefulDetection } from "../types.js";
import { FIREWALL, networkFacts, openingPattern, rulesText } from "./group-findings.js";
import { NETWORK_TRACKER, trackerPattern } from "./tracker.js";

export const sgCreatedOpen: StatefulDetection = withScanHints(
  {
    id: "sg-created-open",
    title: "New security group opened to the world",
    category: "network",
    severity: "high",
    attack: FIREWALL,
    stateful: true,
    description:
      "A security group got a world-open ingress rule (0.0.0.0/0 or ::/0, any port) within `thresholds.sgCreatedOpen.windowMinutes` (10) minutes of its creation.",
    why: "Creating a group and opening it to the internet straight away is the pattern of attack tooling and of rushed, unreviewed changes.",
    tuning:
      "Infrastructure as code that creates public load balancer groups fires too (ports 80/443): acknowledge, or lower the mode to notify.",
    response: { mode: "auto", action: "revoke-sg-rules" },
    buildPattern: openingPattern,
    buildStatePattern: trackerPattern,
    async correlate(event, context, trigger) {
      const change = context.changed(NETWORK_TRACKER);
      const group = change?.group;
      if (!trigger || !change || !group || change.opened.length === 0 || group.createdAt === undefined) return [];
      const window = context.config.thresholds.sgCreatedOpen.windowMinutes * 60_000;
      const age = event.epochMs - group.createdAt;
      if (age < 0 || age > window) return [];
      const rules = change.opened.map((open) => open.rule);
      const draft = cloudTrailDraft(event.envelope, {
        resource: group.groupId,
        summary: `${quote(group.groupId, 64)}${group.name ? ` (${quote(group.name, 64)})` : ""} was opened to the world ${Math.round(age / 1000)} s after it was created (${rulesText(rules)})`,
        facts: networkFacts(group, rules, context),
      });
      return [{ ...draft, eventIds: [...new Set([group.createdEventId ?? "", ...draft.eventIds].filter(Boolean))] }];
    },
  },
  { requiresChange: true },
);
