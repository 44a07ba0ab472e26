import { isWorldOpen } from "../../net/ip.js";
import { awsCall, liveValue } from "../aws/calls.js";
import { CannotPlan } from "../errors.js";
import type { ActionPlanner } from "../types.js";
import { eventNameOf, ID_PATTERNS, notApplicable, ok, quoted } from "./facts.js";
import type { NaclEntry } from "./nacl.plan.js";

/**
 * `nacl-delete-allow-all-entry`: undoes the inbound allow-all entry nacl-allow-all saw.
 *
 * - CreateNetworkAclEntry: DeleteNetworkAclEntry of the entry added (networkAclId, ruleNumber,
 *   egress). Automatic: it removes exactly what the call added.
 * - ReplaceNetworkAclEntry: the event carries only the new entry, so the previous one is read
 *   from AWS Config's history of the network ACL (the latest configuration item captured strictly
 *   before the event) and written back with ReplaceNetworkAclEntry, field for field. It rewrites
 *   a rule from history, so it needs approval; without such an item (Config not recording the
 *   ACL, or no history) it refuses.
 *
 * Either way the entry is changed only while it still allows all protocols from a world-open
 * range: an entry changed since is someone's later decision.
 */

export interface AllowAllEntryTarget {
  networkAclId: string;
  ruleNumber: number;
  region: string;
  /** ReplaceNetworkAclEntry: the event's time (ISO); the previous entry is Config's before it. */
  replacedAt?: string;
}

/** A network ACL entry with every field ReplaceNetworkAclEntry takes. */
export interface FullNaclEntry extends NaclEntry {
  portRange?: { from: number; to: number };
  icmpTypeCode?: { type: number; code: number };
}

export interface AllowAllEntryState {
  /** The inbound entry at the rule number, if any; undefined when not read live. */
  entry?: FullNaclEntry | null;
  /**
   * Replace only: the inbound entry at the rule number in Config's latest item before the
   * event; null when Config holds no such item or entry; undefined when not read live.
   */
  previous?: FullNaclEntry | null;
}

/** Whether an entry allows all protocols from anywhere: the risk this action removes. */
export function isAllowAll(entry: NaclEntry | null | undefined): boolean {
  if (!entry || entry.egress || entry.action !== "allow" || entry.protocol !== "-1") return false;
  const range = entry.cidr ?? entry.ipv6Cidr;
  return range !== undefined && isWorldOpen(range);
}

/** Whether two entries are the same rule, field for field. */
export function sameEntry(a: FullNaclEntry | null | undefined, b: FullNaclEntry | null | undefined): boolean {
  if (!a || !b) return false;
  return (
    a.ruleNumber === b.ruleNumber &&
    a.egress === b.egress &&
    a.action === b.action &&
    a.protocol === b.protocol &&
    a.cidr === b.cidr &&
    a.ipv6Cidr === b.ipv6Cidr &&
    a.portRange?.from === b.portRange?.from &&
    a.portRange?.to === b.portRange?.to &&
    a.icmpTypeCode?.type === b.icmpTypeCode?.type &&
    a.icmpTypeCode?.code === b.icmpTypeCode?.code
  );
}

/** One line for people: `allow 6 from 10.0.0.0/8 ports 443-443`. */
export function entryText(entry: FullNaclEntry | null | undefined): string {
  if (!entry) return "no entry";
  const ports = entry.portRange ? ` ports ${entry.portRange.from}-${entry.portRange.to}` : "";
  const icmp = entry.icmpTypeCode ? ` icmp ${entry.icmpTypeCode.type}/${entry.icmpTypeCode.code}` : "";
  return `${entry.action} ${entry.protocol} from ${entry.cidr ?? entry.ipv6Cidr ?? "?"}${ports}${icmp}`;
}

export const NO_HISTORY =
  "ReplaceNetworkAclEntry overwrote an existing entry and AWS Config holds no configuration item of the network ACL from before the event (Config does not record AWS::EC2::NetworkAcl, or has no history of it), so the previous entry is unknown and cannot be restored; review the entry by hand";

export const deleteAllowAllEntryPlanner: ActionPlanner<AllowAllEntryTarget, AllowAllEntryState> = {
  id: "nacl-delete-allow-all-entry",
  description:
    "Delete the inbound allow-all network ACL entry the event added (DeleteNetworkAclEntry), or restore the entry it replaced from AWS Config's history (ReplaceNetworkAclEntry, with approval).",
  permissions: [
    "ec2:DescribeNetworkAcls",
    "ec2:DeleteNetworkAclEntry",
    "ec2:ReplaceNetworkAclEntry",
    "config:GetResourceConfigHistory",
  ],
  // Deleting removes exactly the entry the offending call added; restoring rewrites a rule from
  // Config's history, which may be older than the last legitimate change: approval.
  destructive: (target) => target.replacedAt !== undefined,
  resolve(incident) {
    const facts = incident.facts;
    const eventName = eventNameOf(facts);
    if (eventName !== "CreateNetworkAclEntry" && eventName !== "ReplaceNetworkAclEntry") {
      return notApplicable(
        `nacl-delete-allow-all-entry undoes CreateNetworkAclEntry or ReplaceNetworkAclEntry, not ${quoted(eventName ?? "(no event name)")}`,
      );
    }
    const { networkAclId, ruleNumber } = facts;
    if (typeof networkAclId !== "string" || !ID_PATTERNS.networkAcl.test(networkAclId)) {
      return notApplicable("the incident's facts name no network ACL (networkAclId)");
    }
    if (typeof ruleNumber !== "number" || !Number.isInteger(ruleNumber) || ruleNumber < 1 || ruleNumber > 32766) {
      return notApplicable("the incident's facts name no entry rule number (ruleNumber, 1-32766)");
    }
    if (facts.egress !== false) return notApplicable("the entry the incident names is not an inbound one");
    if (!ID_PATTERNS.region.test(incident.region)) return notApplicable("the incident names no valid region");
    if (eventName === "CreateNetworkAclEntry") return ok({ networkAclId, ruleNumber, region: incident.region });
    const at = Date.parse(incident.time);
    if (Number.isNaN(at)) return notApplicable("the incident has no valid event time to read Config's history before");
    return ok({ networkAclId, ruleNumber, region: incident.region, replacedAt: new Date(at).toISOString() });
  },
  label: (target) => `network ACL ${target.networkAclId} inbound entry ${target.ruleNumber}`,
  describe: ({ target }) =>
    target.replacedAt === undefined
      ? `Delete inbound entry ${target.ruleNumber} (allow all traffic from anywhere) of network ACL ${target.networkAclId}; it can be added again.`
      : `Restore inbound entry ${target.ruleNumber} of network ACL ${target.networkAclId} to what AWS Config recorded before ${target.replacedAt} (it now allows all traffic from anywhere); the entry replaced is recorded, and ReplaceNetworkAclEntry with it undoes this.`,
  assume: ({ incident }) => {
    const cidr = incident.facts.cidrBlock;
    const ipv6Cidr = incident.facts.ipv6CidrBlock;
    return {
      entry: {
        ruleNumber: typeof incident.facts.ruleNumber === "number" ? incident.facts.ruleNumber : 0,
        egress: false,
        action: "allow",
        protocol: "-1",
        ...(typeof cidr === "string" ? { cidr } : {}),
        ...(typeof ipv6Cidr === "string" ? { ipv6Cidr } : {}),
      },
    };
  },
  plan({ target, state }) {
    if (!isAllowAll(state.entry)) return [];
    const entry = { NetworkAclId: target.networkAclId, RuleNumber: target.ruleNumber, Egress: false };
    if (target.replacedAt === undefined) return [awsCall("ec2", "DeleteNetworkAclEntry", entry, target.region)];
    const previous = state.previous;
    if (previous === null) throw new CannotPlan(NO_HISTORY);
    if (previous === undefined) {
      const source = `the entry AWS Config recorded before ${target.replacedAt}`;
      return [
        awsCall(
          "ec2",
          "ReplaceNetworkAclEntry",
          { ...entry, RuleAction: liveValue(source), Protocol: liveValue(source), CidrBlock: liveValue(source) },
          target.region,
        ),
      ];
    }
    if (sameEntry(previous, state.entry)) return [];
    return [
      awsCall(
        "ec2",
        "ReplaceNetworkAclEntry",
        {
          ...entry,
          RuleAction: previous.action,
          Protocol: previous.protocol,
          ...(previous.cidr !== undefined ? { CidrBlock: previous.cidr } : {}),
          ...(previous.ipv6Cidr !== undefined ? { Ipv6CidrBlock: previous.ipv6Cidr } : {}),
          ...(previous.portRange ? { PortRange: { From: previous.portRange.from, To: previous.portRange.to } } : {}),
          ...(previous.icmpTypeCode
            ? { IcmpTypeCode: { Type: previous.icmpTypeCode.type, Code: previous.icmpTypeCode.code } }
            : {}),
        },
        target.region,
      ),
    ];
  },
};
