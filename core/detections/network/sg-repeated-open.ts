import { updateItem } from "../../correlation/store.js";
import type { SgRule } from "../../model/facts.js";
import { ruleSignature } from "../../risk/sg-rules.js";
import { cloudTrailDraft } from "../draft.js";
import { quote } from "../record.js";
import { withScanHints } from "../scan-hints.js";
import type { StatefulDetection } from "../types.js";
import { FIREWALL, networkFacts, openingPattern } from "./group-findings.js";
import { NETWORK_TRACKER, trackerPattern } from "./tracker.js";

interface Opening {
  eventId: string;
  at: number;
  groupId: string;
  rule: SgRule;
}

export const sgRepeatedOpen: StatefulDetection = withScanHints(
  {
    id: "sg-repeated-open",
    title: "Many security group rules opened to the world",
    category: "network",
    severity: "high",
    attack: FIREWALL,
    stateful: true,
    description:
      "At least `thresholds.sgRepeatedOpen.rules` (3) world-open ingress rules were added across the groups of one account within `windowMinutes` (10) minutes. Each finding consumes the rules it counted.",
    why: "A burst of openings is automation gone wrong or an attacker preparing access in several places.",
    tuning: "Raise the count for accounts where infrastructure as code opens many public groups at once.",
    response: { mode: "auto", action: "revoke-sg-rules" },
    buildPattern: openingPattern,
    buildStatePattern: trackerPattern,
    async correlate(event, context, trigger) {
      const change = context.changed(NETWORK_TRACKER);
      if (!trigger || !change || change.opened.length === 0 || !change.groupId) return [];
      const { rules: threshold, windowMinutes } = context.config.thresholds.sgRepeatedOpen;
      const window = windowMinutes * 60_000;
      let fired: Opening[] | undefined;
      await updateItem<Opening[]>(
        context.state,
        `repeated|${change.account}`,
        context.now,
        context.now + window,
        (current) => {
          const recent = (current ?? []).filter((entry) => entry.at > context.now - window);
          for (const open of change.opened) {
            const signature = ruleSignature(open.rule);
            const duplicate = recent.some(
              (entry) =>
                entry.eventId === open.eventId &&
                entry.groupId === change.groupId &&
                ruleSignature(entry.rule) === signature,
            );
            if (!duplicate)
              recent.push({ eventId: open.eventId, at: open.openedAt, groupId: change.groupId!, rule: open.rule });
          }
          if (recent.length < threshold) return recent;
          fired = recent;
          return [];
        },
      );
      if (!fired) return [];
      const byGroup = new Map<string, SgRule[]>();
      for (const entry of fired) byGroup.set(entry.groupId, [...(byGroup.get(entry.groupId) ?? []), entry.rule]);
      const groups = [...byGroup.keys()];
      const group = change.group ?? { groupId: change.groupId, tags: {}, open: [] };
      const draft = cloudTrailDraft(event.envelope, {
        resource: change.groupId,
        summary: `${fired.length} world-open rules were added in ${windowMinutes} minutes across ${groups.length} group${groups.length > 1 ? "s" : ""} of account ${quote(change.account, 20)} (${groups.map((id) => quote(id, 32)).join(", ")})`,
        facts: networkFacts(group, byGroup.get(change.groupId) ?? [], context, {
          groups: groups.map((groupId) => ({ groupId, rules: byGroup.get(groupId) ?? [] })),
        }),
      });
      return [{ ...draft, eventIds: [...new Set(fired.map((entry) => entry.eventId))] }];
    },
  },
  { requiresChange: true },
);
