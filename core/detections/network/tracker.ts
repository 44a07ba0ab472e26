import type { RiposteConfig } from "../../config/schema.js";
import type { CorrelationStore } from "../../correlation/store.js";
import type { SecurityEvent } from "../../model/event.js";
import type { SgRule } from "../../model/facts.js";
import { isWorldOpenRule, ruleSignature } from "../../risk/sg-rules.js";
import { eventIdOf } from "../draft.js";
import { modifiedRules, requestedRules } from "../facts/sg-rules.js";
import { apiCalls, NO_ERROR } from "../pattern-helpers.js";
import { accountOf, at, isObject, items, type Json, principalOf, str } from "../record.js";
import type { EventPattern, Tracker, TrackerKind } from "../types.js";

/**
 * What Riposte knows about security groups from the event stream: each group's tags, creation
 * time and world-open ingress rules, the rules' `sgr-…` ids, and which groups each network
 * interface carries. Every network correlator reads it; the engine updates it once per event,
 * including events made by Riposte's own role (its revocations must close what they close).
 */

export interface OpenRule {
  rule: SgRule;
  openedAt: number;
  eventId: string;
  principal: string;
  /** Opened by Riposte's own role: never the cause of a finding (loop prevention). */
  byTool?: boolean;
}

export interface GroupState {
  groupId: string;
  name?: string;
  vpcId?: string;
  description?: string;
  createdAt?: number;
  createdEventId?: string;
  tags: Record<string, string>;
  open: OpenRule[];
}

export interface NetworkChange {
  account: string;
  region: string;
  groupId?: string;
  /** The group after the event. */
  group?: GroupState;
  /** World-open ingress rules this event added. */
  opened: OpenRule[];
  /** World-open ingress rules this event removed (revoked, modified away, group deleted). */
  removed: OpenRule[];
  /** The group's tags now mark it production, and did not before. */
  becameProduction: boolean;
  groupDeleted: boolean;
  launched?: { instanceIds: string[]; groupIds: string[]; interfaceIds: string[] };
}

export interface InterfaceState {
  groupIds: string[];
  /** Where the interface (and so its groups) lives. */
  region: string;
  instanceId?: string;
}

const TRACKED_CALLS = [
  "CreateSecurityGroup",
  "DeleteSecurityGroup",
  "CreateTags",
  "DeleteTags",
  "AuthorizeSecurityGroupIngress",
  "RevokeSecurityGroupIngress",
  "ModifySecurityGroupRules",
  "RunInstances",
  "CreateNetworkInterface",
  "ModifyNetworkInterfaceAttribute",
  "DeleteNetworkInterface",
];

/** The events that change what the tracker knows (deployed without loop prevention). */
export function trackerPattern(): EventPattern {
  return apiCalls("aws.ec2", TRACKED_CALLS, NO_ERROR);
}

const DAY = 24 * 60 * 60 * 1000;

export const groupKey = (account: string, region: string, groupId: string) => `sg|${account}|${region}|${groupId}`;
const ruleKey = (account: string, region: string, ruleId: string) => `sgrule|${account}|${region}|${ruleId}`;
/** Interface ids are unique in an account, and flow logs do not always say the region: keyed without it. */
export const interfaceKey = (account: string, id: string) => `eni|${account}|${id}`;

/** Whether tags mark a resource as production (`productionTags`, case-insensitive). */
export function isProduction(tags: Record<string, string>, config: RiposteConfig): boolean {
  const keys = config.productionTags.keys.map((key) => key.toLowerCase());
  const values = config.productionTags.values.map((value) => value.toLowerCase());
  return Object.entries(tags).some(
    ([key, value]) => keys.includes(key.toLowerCase()) && values.includes(value.toLowerCase()),
  );
}

function tagsFrom(list: unknown): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const tag of items(list)) {
    const key = str(at(tag, "key")) || str(at(tag, "Key"));
    if (key) tags[key] = str(at(tag, "value")) || str(at(tag, "Value"));
  }
  return tags;
}

/**
 * Whether `observe` certainly leaves the event alone — returns undefined without reading or
 * writing state — so the engine need not call it: a failed call, or tags put on resources none
 * of which is a security group (most CreateTags calls tag instances and volumes).
 */
export function trackerIgnores(record: Json): boolean {
  if (record.errorCode) return true;
  const name = record.eventName;
  if (name !== "CreateTags" && name !== "DeleteTags") return false;
  for (const resource of items(at(record, "requestParameters", "resourcesSet"))) {
    if (str(at(resource, "resourceId")).startsWith("sg-")) return false;
  }
  return true;
}

export class NetworkTracker implements Tracker<NetworkChange> {
  constructor(
    private readonly state: CorrelationStore,
    private readonly config: RiposteConfig,
  ) {}

  private expiry(now: number): number {
    return now + this.config.thresholds.baseline.days * DAY;
  }

  async group(account: string, region: string, groupId: string, now: number): Promise<GroupState | undefined> {
    return (await this.state.get<GroupState>(groupKey(account, region, groupId), now))?.value;
  }

  async interfaceGroups(account: string, interfaceId: string, now: number): Promise<InterfaceState | undefined> {
    return (await this.state.get<InterfaceState>(interfaceKey(account, interfaceId), now))?.value;
  }

  private async saveGroup(account: string, region: string, group: GroupState, now: number): Promise<void> {
    await this.state.put(groupKey(account, region, group.groupId), group, { now, expiresAt: this.expiry(now) });
  }

  /** Update state from one EC2 event; the change it made. */
  async observe(event: SecurityEvent): Promise<NetworkChange | undefined> {
    const record = event.envelope.detail as Json;
    if (record.errorCode) return undefined;
    const account = accountOf(record) || event.envelope.account;
    const region = str(record.awsRegion) || event.envelope.region;
    const now = event.epochMs;
    const change: NetworkChange = {
      account,
      region,
      opened: [],
      removed: [],
      becameProduction: false,
      groupDeleted: false,
    };
    const load = async (groupId: string): Promise<GroupState> =>
      (await this.group(account, region, groupId, now)) ?? { groupId, tags: {}, open: [] };

    switch (str(record.eventName)) {
      case "CreateSecurityGroup": {
        const groupId = str(at(record, "responseElements", "groupId"));
        if (!groupId) return undefined;
        const params = record.requestParameters;
        const tags = {
          ...Object.fromEntries(
            items(at(params, "tagSpecificationSet"))
              .filter((spec) => !str(at(spec, "resourceType")) || str(at(spec, "resourceType")) === "security-group")
              .flatMap((spec) => Object.entries(tagsFrom(at(spec, "tags")))),
          ),
          ...tagsFrom(at(record, "responseElements", "tagSet")),
        };
        const group: GroupState = {
          ...(await load(groupId)),
          name: str(at(params, "groupName")) || undefined,
          vpcId: str(at(params, "vpcId")) || undefined,
          description: str(at(params, "groupDescription")) || undefined,
          createdAt: now,
          createdEventId: eventIdOf(event.envelope),
          tags,
        };
        await this.saveGroup(account, region, group, now);
        return { ...change, groupId, group };
      }
      case "CreateTags":
      case "DeleteTags": {
        const groupIds = items(at(record, "requestParameters", "resourcesSet"))
          .map((resource) => str(at(resource, "resourceId")))
          .filter((id) => id.startsWith("sg-"));
        if (groupIds.length === 0) return undefined;
        const tags = tagsFrom(at(record, "requestParameters", "tagSet"));
        let last: NetworkChange | undefined;
        for (const groupId of groupIds) {
          const group = await load(groupId);
          const before = isProduction(group.tags, this.config);
          if (record.eventName === "CreateTags") Object.assign(group.tags, tags);
          else for (const key of Object.keys(tags)) delete group.tags[key];
          await this.saveGroup(account, region, group, now);
          const becameProduction = !before && isProduction(group.tags, this.config);
          // Only one group per event is reported as the change (the usual case); state covers all.
          if (!last || becameProduction) last = { ...change, groupId, group, becameProduction };
        }
        return last;
      }
      case "AuthorizeSecurityGroupIngress": {
        const { groupId, rules } = requestedRules(record, false);
        if (!groupId) return undefined;
        const group = await load(groupId);
        const principal = principalOf(record);
        const byTool = this.byTool(record);
        for (const rule of rules) {
          if (rule.ruleId) await this.rememberRule(account, region, groupId, rule, now);
          if (!isWorldOpenRule(rule)) continue;
          const signature = ruleSignature(rule);
          if (group.open.some((open) => ruleSignature(open.rule) === signature)) continue;
          const opened: OpenRule = { rule, openedAt: now, eventId: eventIdOf(event.envelope), principal, byTool };
          group.open.push(opened);
          change.opened.push(opened);
        }
        await this.saveGroup(account, region, group, now);
        return { ...change, groupId, group };
      }
      case "RevokeSecurityGroupIngress": {
        const { groupId, rules, ruleIds } = requestedRules(record, false);
        if (!groupId) return undefined;
        const group = await load(groupId);
        const signatures = new Set(rules.map(ruleSignature));
        const ids = new Set(ruleIds);
        const kept: OpenRule[] = [];
        for (const open of group.open) {
          if (signatures.has(ruleSignature(open.rule)) || (open.rule.ruleId && ids.has(open.rule.ruleId))) {
            change.removed.push(open);
          } else kept.push(open);
        }
        // A successful revoke of a world-open rule Riposte had not seen still removed one.
        for (const rule of rules) {
          if (
            isWorldOpenRule(rule) &&
            !change.removed.some((open) => ruleSignature(open.rule) === ruleSignature(rule))
          ) {
            change.removed.push({ rule, openedAt: Number.NaN, eventId: "", principal: "" });
          }
        }
        for (const id of ruleIds) await this.state.delete(ruleKey(account, region, id));
        group.open = kept;
        await this.saveGroup(account, region, group, now);
        return { ...change, groupId, group };
      }
      case "ModifySecurityGroupRules": {
        const { groupId, rules } = modifiedRules(record);
        if (!groupId) return undefined;
        const group = await load(groupId);
        const principal = principalOf(record);
        for (const rule of rules) {
          if (!rule.ruleId) continue;
          const index = group.open.findIndex((open) => open.rule.ruleId === rule.ruleId);
          const wasOpen = index >= 0 ? group.open[index] : undefined;
          if (wasOpen) {
            group.open.splice(index, 1);
            if (!isWorldOpenRule(rule)) change.removed.push(wasOpen);
          }
          if (isWorldOpenRule(rule)) {
            const opened: OpenRule = wasOpen
              ? { ...wasOpen, rule }
              : { rule, openedAt: now, eventId: eventIdOf(event.envelope), principal, byTool: this.byTool(record) };
            group.open.push(opened);
            if (!wasOpen) change.opened.push(opened);
          }
          await this.rememberRule(account, region, groupId, rule, now);
        }
        await this.saveGroup(account, region, group, now);
        return { ...change, groupId, group };
      }
      case "DeleteSecurityGroup": {
        const groupId =
          str(at(record, "requestParameters", "groupId")) || str(at(record, "requestParameters", "groupName"));
        if (!groupId) return undefined;
        const group = await this.group(account, region, groupId, now);
        await this.state.delete(groupKey(account, region, groupId));
        return { ...change, groupId, group, removed: group?.open ?? [], groupDeleted: true };
      }
      case "RunInstances":
        return { ...change, launched: await this.rememberInstances(record, account, region, now) };
      case "CreateNetworkInterface": {
        const eni = at(record, "responseElements", "networkInterface");
        const id = str(at(eni, "networkInterfaceId"));
        if (!id) return undefined;
        const groupIds = items(at(eni, "groupSet"))
          .map((group) => str(at(group, "groupId")))
          .filter(Boolean);
        await this.state.put(interfaceKey(account, id), { groupIds, region } satisfies InterfaceState, {
          now,
          expiresAt: this.expiry(now),
        });
        return change;
      }
      case "ModifyNetworkInterfaceAttribute": {
        const params = record.requestParameters;
        const id = str(at(params, "networkInterfaceId"));
        const groupIds = items(at(params, "groupSet"))
          .map((group) => str(at(group, "groupId")))
          .filter(Boolean);
        if (!id || groupIds.length === 0) return undefined;
        const previous = await this.interfaceGroups(account, id, now);
        await this.state.put(interfaceKey(account, id), { ...previous, groupIds, region } satisfies InterfaceState, {
          now,
          expiresAt: this.expiry(now),
        });
        return change;
      }
      case "DeleteNetworkInterface": {
        const id = str(at(record, "requestParameters", "networkInterfaceId"));
        if (id) await this.state.delete(interfaceKey(account, id));
        return change;
      }
      default:
        return undefined;
    }
  }

  private byTool(record: Json): boolean {
    const issuer = str(at(record, "userIdentity", "sessionContext", "sessionIssuer", "userName"));
    return issuer.startsWith(this.config.protection.toolRolePrefix);
  }

  private async rememberRule(
    account: string,
    region: string,
    groupId: string,
    rule: SgRule,
    now: number,
  ): Promise<void> {
    if (!rule.ruleId) return;
    await this.state.put(
      ruleKey(account, region, rule.ruleId),
      { groupId, rule },
      { now, expiresAt: this.expiry(now) },
    );
  }

  private async rememberInstances(record: Json, account: string, region: string, now: number) {
    const launched = { instanceIds: [] as string[], groupIds: [] as string[], interfaceIds: [] as string[] };
    for (const instance of items(at(record, "responseElements", "instancesSet"))) {
      if (!isObject(instance)) continue;
      const instanceId = str(instance.instanceId);
      if (instanceId) launched.instanceIds.push(instanceId);
      const instanceGroups = items(instance.groupSet)
        .map((group) => str(at(group, "groupId")))
        .filter(Boolean);
      launched.groupIds.push(...instanceGroups);
      for (const eni of items(instance.networkInterfaceSet)) {
        const id = str(at(eni, "networkInterfaceId"));
        const groupIds = items(at(eni, "groupSet"))
          .map((group) => str(at(group, "groupId")))
          .filter(Boolean);
        launched.groupIds.push(...groupIds);
        if (!id) continue;
        launched.interfaceIds.push(id);
        await this.state.put(
          interfaceKey(account, id),
          { groupIds: groupIds.length ? groupIds : instanceGroups, region, instanceId } satisfies InterfaceState,
          { now, expiresAt: this.expiry(now) },
        );
      }
    }
    // Groups named in the request, when the response does not list them.
    for (const group of items(at(record, "requestParameters", "groupSet"))) {
      const id = str(at(group, "groupId"));
      if (id) launched.groupIds.push(id);
    }
    launched.groupIds = [...new Set(launched.groupIds)];
    return launched;
  }
}

/** The security group knowledge every network correlator reads: `context.tracker(NETWORK_TRACKER)`. */
export const NETWORK_TRACKER: TrackerKind<NetworkTracker, NetworkChange> = {
  name: "network",
  pattern: trackerPattern,
  ignores: trackerIgnores,
  create: (state, config) => new NetworkTracker(state, config),
};
