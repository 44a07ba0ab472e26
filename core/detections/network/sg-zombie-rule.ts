import { isoTime } from "../../events/time.js";
import type { SgRule } from "../../model/facts.js";
import { describePorts, describeRange, ruleSignature } from "../../risk/sg-rules.js";
import { quote } from "../record.js";
import { withScanHints } from "../scan-hints.js";
import type { StatefulDetection } from "../types.js";
import { FIREWALL, networkFacts, openingPattern } from "./group-findings.js";
import { NETWORK_TRACKER, type OpenRule, trackerPattern } from "./tracker.js";

interface ZombieTimer {
  account: string;
  region: string;
  groupId: string;
  signature: string;
  open: OpenRule;
}

const zombieTimerId = (account: string, region: string, groupId: string, rule: SgRule) =>
  `sg-zombie-rule|${account}|${region}|${groupId}|${ruleSignature(rule)}`;

export const sgZombieRule: StatefulDetection = withScanHints(
  {
    id: "sg-zombie-rule",
    title: "World-open rule left open",
    category: "network",
    severity: "medium",
    attack: FIREWALL,
    stateful: true,
    description:
      "A world-open ingress rule (any port) was still not revoked `thresholds.sgZombieRule.hours` (24) hours after it was opened. Judged against event time: `riposte scan` reports rules still open at the latest event it read.",
    why: '"Just for today" rules that nobody closes are how temporary access becomes permanent exposure.',
    tuning:
      "Rules meant to stay open (public load balancers) fire once, a day after they open: acknowledge them, or shorten the hours to catch forgotten rules sooner.",
    response: { mode: "auto", action: "revoke-sg-rules" },
    buildPattern: openingPattern,
    buildStatePattern: trackerPattern,
    async correlate(_event, context, trigger) {
      const change = context.changed(NETWORK_TRACKER);
      if (!change?.groupId) return [];
      for (const removed of change.removed) {
        await context.state.cancel(zombieTimerId(change.account, change.region, change.groupId, removed.rule));
      }
      if (!trigger) return [];
      const hours = context.config.thresholds.sgZombieRule.hours;
      for (const open of change.opened) {
        const payload: ZombieTimer = {
          account: change.account,
          region: change.region,
          groupId: change.groupId,
          signature: ruleSignature(open.rule),
          open,
        };
        await context.state.schedule({
          id: zombieTimerId(change.account, change.region, change.groupId, open.rule),
          dueAt: open.openedAt + hours * 3_600_000,
          payload,
        });
      }
      return [];
    },
    async onTimer(payload, context) {
      const timer = payload as ZombieTimer;
      const group = await context
        .tracker(NETWORK_TRACKER)
        .group(timer.account, timer.region, timer.groupId, context.now);
      const still = group?.open.find((open) => ruleSignature(open.rule) === timer.signature);
      if (!group || !still) return [];
      const hours = context.config.thresholds.sgZombieRule.hours;
      const dueAt = timer.open.openedAt + hours * 3_600_000;
      return [
        {
          time: isoTime(dueAt),
          eventIds: [timer.open.eventId],
          account: timer.account,
          region: timer.region,
          principal: timer.open.principal,
          resource: group.groupId,
          summary: `${describePorts(still.rule)} from ${describeRange(still.rule)} on ${quote(group.groupId, 64)} is still open ${hours} h after ${quote(timer.open.principal || "someone")} opened it`,
          facts: { ...networkFacts(group, [still.rule], context), openedAt: isoTime(timer.open.openedAt) },
          evidence: [],
        },
      ];
    },
  },
  { requiresChange: true },
);
