import type { NetworkAclEntry } from "@aws-sdk/client-ec2";
import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import { check, gone, goneOr, sendAll, tagMap, unlessAbsent } from "./live.js";
import { entryOf } from "./nacl.js";
import {
  type AllowAllEntryState,
  type AllowAllEntryTarget,
  deleteAllowAllEntryPlanner,
  entryText,
  type FullNaclEntry,
  isAllowAll,
  NO_HISTORY,
  sameEntry,
} from "./nacl-allow-all.plan.js";

/**
 * `nacl-delete-allow-all-entry`, live: the network ACL (its tags for the guardrails) and its
 * inbound entry at the rule number; a deleted ACL is gone, an entry deleted since is done. For a
 * replaced entry, also the entry at the rule number in AWS Config's latest configuration item of
 * the ACL captured strictly before the event.
 */

const NO_ACL = ["InvalidNetworkAclID.NotFound"];
/** How many of Config's items (newest first, up to the event time) are looked through. */
const HISTORY_ITEMS = 5;

/** A DescribeNetworkAcls entry with its ports and ICMP type, as ReplaceNetworkAclEntry takes them. */
function fullEntryOf(entry: NetworkAclEntry): FullNaclEntry {
  const ports = entry.PortRange;
  const icmp = entry.IcmpTypeCode;
  return {
    ...entryOf(entry),
    ...(ports?.From !== undefined && ports.To !== undefined ? { portRange: { from: ports.From, to: ports.To } } : {}),
    ...(icmp?.Type !== undefined && icmp.Code !== undefined
      ? { icmpTypeCode: { type: icmp.Type, code: icmp.Code } }
      : {}),
  };
}

const isInt = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value);
const isText = (value: unknown): value is string => typeof value === "string" && value.length > 0;

/**
 * An entry of a Config item's `configuration` (the EC2 NetworkAcl shape in camelCase: ruleNumber,
 * egress, ruleAction, protocol, cidrBlock / ipv6CidrBlock, portRange {from, to}, icmpTypeCode
 * {type, code}, absent values null); undefined when it is not a well-formed entry.
 */
export function configEntryOf(raw: unknown): FullNaclEntry | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const e = raw as Record<string, unknown>;
  if (!isInt(e.ruleNumber) || typeof e.egress !== "boolean" || !isText(e.protocol)) return undefined;
  if (e.ruleAction !== "allow" && e.ruleAction !== "deny") return undefined;
  const cidr = isText(e.cidrBlock) ? e.cidrBlock : undefined;
  const ipv6Cidr = isText(e.ipv6CidrBlock) ? e.ipv6CidrBlock : undefined;
  if ((cidr === undefined) === (ipv6Cidr === undefined)) return undefined;
  const ports = e.portRange as Record<string, unknown> | null | undefined;
  const icmp = e.icmpTypeCode as Record<string, unknown> | null | undefined;
  return {
    ruleNumber: e.ruleNumber,
    egress: e.egress,
    action: e.ruleAction,
    protocol: e.protocol,
    ...(cidr !== undefined ? { cidr } : {}),
    ...(ipv6Cidr !== undefined ? { ipv6Cidr } : {}),
    ...(ports && isInt(ports.from) && isInt(ports.to) ? { portRange: { from: ports.from, to: ports.to } } : {}),
    ...(icmp && isInt(icmp.type) && isInt(icmp.code) ? { icmpTypeCode: { type: icmp.type, code: icmp.code } } : {}),
  };
}

/** The inbound entry at the rule number in Config's latest item strictly before the event, or null. */
async function previousEntry(ctx: LiveContext<AllowAllEntryTarget>, replacedAt: string): Promise<FullNaclEntry | null> {
  const { networkAclId, ruleNumber, region } = ctx.target;
  const before = Date.parse(replacedAt);
  const answer = await unlessAbsent(
    () =>
      ctx.aws.send(
        "config",
        "GetResourceConfigHistory",
        {
          resourceType: "AWS::EC2::NetworkAcl",
          resourceId: networkAclId,
          laterTime: new Date(before),
          limit: HISTORY_ITEMS,
        },
        region,
      ),
    ["ResourceNotDiscoveredException"],
    undefined,
  );
  // Newest first (Config's default order); the event's own change is captured at or after it.
  const item = (answer?.configurationItems ?? []).find((candidate) => {
    const captured = candidate.configurationItemCaptureTime;
    return captured !== undefined && new Date(captured).getTime() < before;
  });
  if (!item?.configuration) return null;
  if (item.configurationItemStatus !== "OK" && item.configurationItemStatus !== "ResourceDiscovered") return null;
  let configuration: unknown;
  try {
    configuration = JSON.parse(item.configuration);
  } catch {
    return null;
  }
  const entries = (configuration as { entries?: unknown } | null)?.entries;
  if (!Array.isArray(entries)) return null;
  return (
    entries
      .map(configEntryOf)
      .find(
        (entry): entry is FullNaclEntry => entry !== undefined && !entry.egress && entry.ruleNumber === ruleNumber,
      ) ?? null
  );
}

async function snapshot(ctx: LiveContext<AllowAllEntryTarget>): Promise<Snapshot<AllowAllEntryState>> {
  const { networkAclId, ruleNumber, region, replacedAt } = ctx.target;
  const reason = `network ACL ${networkAclId} no longer exists`;
  return goneOr(NO_ACL, reason, async () => {
    const answer = await ctx.aws.send("ec2", "DescribeNetworkAcls", { NetworkAclIds: [networkAclId] }, region);
    const acl = answer.NetworkAcls?.find((a) => a.NetworkAclId === networkAclId);
    if (!acl) gone(reason);
    const entry = (acl.Entries ?? [])
      .map(fullEntryOf)
      .find((candidate) => !candidate.egress && candidate.ruleNumber === ruleNumber);
    const previous = replacedAt === undefined ? {} : { previous: await previousEntry(ctx, replacedAt) };
    return { state: { entry: entry ?? null, ...previous }, tags: [tagMap(acl.Tags)] };
  });
}

export const deleteAllowAllEntry: RemediationAction<AllowAllEntryTarget, AllowAllEntryState> = {
  ...deleteAllowAllEntryPlanner,
  errors: { gone: NO_ACL, alreadyDone: ["InvalidNetworkAclEntry.NotFound"] },
  snapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await snapshot(ctx);
    if ("gone" in read) return [check("target gone", true, read.gone)];
    const { entry, previous } = read.state;
    if (ctx.target.replacedAt !== undefined) {
      return [
        check(
          `inbound entry ${ctx.target.ruleNumber} is the entry AWS Config recorded before the replace`,
          sameEntry(entry, previous),
          previous ? `${entryText(entry)} (previous: ${entryText(previous)})` : NO_HISTORY,
        ),
      ];
    }
    return [
      check(
        `inbound entry ${ctx.target.ruleNumber} allows no longer all traffic from anywhere`,
        !isAllowAll(entry),
        entryText(entry),
      ),
    ];
  },
};
