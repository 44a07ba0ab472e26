import { updateItem } from "../../correlation/store.js";
import { FLOW_SOURCE } from "../../events/flow-logs.js";
import { isoTime } from "../../events/time.js";
import type { DetectionId } from "../../model/catalog.js";
import type { NetworkFacts, SgRule } from "../../model/facts.js";
import {
  describePorts,
  describeRange,
  exposedRiskyPorts,
  exposesAlarmingPort,
  ruleCoversPort,
  ruleSignature,
} from "../../risk/sg-rules.js";
import { cloudTrailDraft, eventIdOf } from "../draft.js";
import { apiCalls, NO_ERROR } from "../pattern-helpers.js";
import { type Json, principalOf, quote, str } from "../record.js";
import { withScanHints } from "../scan-hints.js";
import type { CorrelationContext, EventPattern, FindingDraft, StatefulDetection } from "../types.js";
import { type GroupState, isProduction, NETWORK_TRACKER, type OpenRule, trackerPattern } from "./tracker.js";

/** Security group detections that correlate events through the tracker's knowledge. */

const FIREWALL = { id: "T1562.007", name: "Impair Defenses: Disable or Modify Cloud Firewall" };
const OPENING_CALLS = ["AuthorizeSecurityGroupIngress", "ModifySecurityGroupRules"];
const openingPattern = (): EventPattern => apiCalls("aws.ec2", OPENING_CALLS, NO_ERROR);

function rulesText(rules: readonly SgRule[]): string {
  return rules.map((rule) => `${describePorts(rule)} from ${describeRange(rule)}`).join(", ");
}

function networkFacts(
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

// ---------------------------------------------------------------- opened soon after creation

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

// ---------------------------------------------------------------- production-tagged groups

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

// ---------------------------------------------------------------- instance launched into an open group

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

// ---------------------------------------------------------------- many opened in a short time

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

// ---------------------------------------------------------------- still open a day later

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

// ---------------------------------------------------------------- connection after opening

const PROTOCOL_NAMES: Record<number, string> = { 6: "tcp", 17: "udp" };

function ruleAllowsFlow(rule: SgRule, protocol: number, port: number): boolean {
  if (rule.ipProtocol === "-1" || rule.ipProtocol === "all") return true;
  const name = PROTOCOL_NAMES[protocol];
  if (!name || (rule.ipProtocol !== name && rule.ipProtocol !== String(protocol))) return false;
  return ruleCoversPort(rule, port);
}

export const sgOpenThenConnection: StatefulDetection = {
  id: "sg-open-then-connection",
  title: "Connection through a newly opened rule",
  category: "network",
  severity: "critical",
  attack: { id: "T1133", name: "External Remote Services" },
  stateful: true,
  loopPrevention: "not-applicable",
  description:
    "A VPC flow log shows an ACCEPTed flow from a public address to a port a world-open rule had opened, on a network interface of that group, within `thresholds.sgOpenThenConnection.windowMinutes` (15) minutes after the opening. Interfaces are known from RunInstances and CreateNetworkInterface responses, or described live.",
  why: "The exposure is no longer theoretical: someone on the internet reached the service right after it was opened.",
  tuning:
    "Needs VPC Flow Logs (default format or any format with interface-id, srcaddr, dstport, protocol, start, end and action) in the same input.",
  response: { mode: "auto", action: "revoke-sg-rules" },
  buildPattern: () => ({ source: [FLOW_SOURCE], detail: { action: ["ACCEPT"] } }),
  buildStatePattern: trackerPattern,
  async correlate(event, context, trigger) {
    if (!trigger || event.envelope.source !== FLOW_SOURCE) return [];
    const flow = event.envelope.detail as Json;
    const source = str(flow.srcaddr);
    const interfaceId = str(flow["interface-id"]);
    const port = typeof flow.dstport === "number" ? flow.dstport : undefined;
    const protocol = typeof flow.protocol === "number" ? flow.protocol : undefined;
    if (!source || !interfaceId || port === undefined || protocol === undefined) return [];
    const kind = context.locate(source).kind;
    if (kind !== "public" && kind !== "aws") return [];
    const account = event.envelope.account;
    const known = await context.tracker(NETWORK_TRACKER).interfaceGroups(account, interfaceId, context.now);
    const region = known?.region || event.envelope.region;
    let groupIds = known?.groupIds;
    if (!groupIds && context.describe?.networkInterface && region) {
      try {
        groupIds = (await context.describe.networkInterface(interfaceId, { account, region }))?.groupIds;
      } catch (error) {
        context.logger.warn("describing a network interface failed", { interfaceId, error });
      }
    }
    const start = typeof flow.start === "number" ? flow.start * 1000 : event.epochMs;
    const end = typeof flow.end === "number" ? flow.end * 1000 : start;
    const window = context.config.thresholds.sgOpenThenConnection.windowMinutes * 60_000;
    const findings: FindingDraft[] = [];
    for (const groupId of groupIds ?? []) {
      const group = await context.tracker(NETWORK_TRACKER).group(account, region, groupId, context.now);
      for (const open of group?.open ?? []) {
        if (open.byTool) continue;
        if (!Number.isFinite(open.openedAt) || end < open.openedAt || start > open.openedAt + window) continue;
        if (!ruleAllowsFlow(open.rule, protocol, port)) continue;
        // One finding per opened rule.
        const { added } = await context.state.addToSet(
          `connected|${account}|${region}|${groupId}`,
          [ruleSignature(open.rule)],
          {
            now: context.now,
            expiresAt: open.openedAt + window + 86_400_000,
          },
        );
        if (added.length === 0) continue;
        findings.push({
          time: event.time,
          eventIds: [open.eventId, eventIdOf(event.envelope)].filter(Boolean),
          account,
          region,
          principal: open.principal,
          resource: groupId,
          summary: `${quote(source, 45)} connected to port ${port} on ${quote(interfaceId, 32)} (${quote(groupId, 32)}) ${Math.max(0, Math.round((start - open.openedAt) / 1000))} s after the port was opened to the world`,
          sourceIp: source,
          facts: networkFacts(group!, [open.rule], context, { networkInterfaceIds: [interfaceId], connection: flow }),
          evidence: [event.raw],
        });
      }
    }
    return findings;
  },
};

// ---------------------------------------------------------------- risk removed

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
    detections.add("sg-ssh-open-world");
  }
  if (exposes(removed, (port) => port !== 22) && !exposes(remaining, (port) => port !== 22)) {
    detections.add("sg-high-risk-port-open");
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
      "A revoke (RevokeSecurityGroupIngress), a modification (ModifySecurityGroupRules) or a group deletion removed an earlier world-open ingress rule. The finding names what it resolves (`resolves`: the group and the detections whose incidents are closed), so earlier incidents move to RESOLVED.",
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

export function networkCorrelators(): StatefulDetection[] {
  return [
    sgCreatedOpen,
    sgProdTagViolation,
    sgZombieRule,
    sgOpenThenConnection,
    ec2LaunchedWithOpenSg,
    sgRepeatedOpen,
    sgRiskResolved,
  ];
}
