import { cidrContains, parseCidr, parseIp } from "../../net/ip.js";
import { awsCall, liveValue } from "../aws/calls.js";
import { CannotPlan } from "../errors.js";
import type { ActionPlanner } from "../types.js";
import { type BlockedAddress, resolveBlockedAddress } from "./block-ip.js";
import { notApplicable } from "./facts.js";

/**
 * `nacl-deny-ip`: an inbound deny entry for the scanner's address (all protocols) in the
 * configured network ACL, at the lowest free rule number of the configured range — entries are
 * evaluated in rule-number order, so the deny must sit before any allow that matches the address.
 */

export interface NaclTarget extends BlockedAddress {
  aclId: string;
  region: string;
  first: number;
  last: number;
}

export interface NaclEntry {
  ruleNumber: number;
  egress: boolean;
  action: "allow" | "deny";
  cidr?: string;
  ipv6Cidr?: string;
  protocol: string;
}

export interface NaclState {
  /** Undefined when not read live. */
  entries?: NaclEntry[];
}

/** Whether an entry's range holds `ip`. */
export function entryMatches(entry: NaclEntry, ip: string): boolean {
  const parsed = parseIp(ip);
  const range = parseCidr(entry.cidr ?? entry.ipv6Cidr ?? "");
  return parsed !== undefined && range !== undefined && cidrContains(range, parsed);
}

/** The inbound deny entry for exactly this address, if there is one. */
export function existingDeny(entries: readonly NaclEntry[], target: BlockedAddress): NaclEntry | undefined {
  return entries.find(
    (entry) =>
      !entry.egress &&
      entry.action === "deny" &&
      entry.protocol === "-1" &&
      (entry.cidr ?? entry.ipv6Cidr) !== undefined &&
      parseCidr(entry.cidr ?? entry.ipv6Cidr ?? "")?.prefix === (target.version === 4 ? 32 : 128) &&
      entryMatches(entry, target.ip),
  );
}

/** The lowest-numbered inbound allow entry that lets `target` in, if any (it wins over later denies). */
export function firstAllow(entries: readonly NaclEntry[], target: BlockedAddress): NaclEntry | undefined {
  return entries
    .filter((entry) => !entry.egress && entry.action === "allow" && entryMatches(entry, target.ip))
    .sort((a, b) => a.ruleNumber - b.ruleNumber)[0];
}

/** Whether `deny` is evaluated before every allow that admits the address. */
export function denyTakesEffect(entries: readonly NaclEntry[], deny: NaclEntry, target: BlockedAddress): boolean {
  const allow = firstAllow(entries, target);
  return allow === undefined || deny.ruleNumber < allow.ruleNumber;
}

export const naclDenyIpPlanner: ActionPlanner<NaclTarget, NaclState> = {
  id: "nacl-deny-ip",
  description: "Add an inbound deny entry for the client address to the configured network ACL.",
  permissions: ["ec2:DescribeNetworkAcls", "ec2:CreateNetworkAclEntry"],
  destructive: false,
  resolve(incident, config) {
    const acl = config.remediation.networkAcl;
    if (!acl) return notApplicable("no network ACL is configured (remediation.networkAcl)");
    const address = resolveBlockedAddress(incident, config);
    if (!address.ok) return address;
    return {
      ok: true,
      target: {
        ...address.target,
        aclId: acl.id,
        region: acl.region ?? incident.region,
        first: acl.ruleNumbers.first,
        last: acl.ruleNumbers.last,
      },
    };
  },
  label: (target) => `${target.cidr} in network ACL ${target.aclId}`,
  describe: ({ target }) =>
    `Add an inbound deny entry for ${target.cidr} (all traffic) to network ACL ${target.aclId} at the lowest free rule number in ${target.first}-${target.last}.`,
  assume: () => ({}),
  plan({ target, state }) {
    const present = state.entries && existingDeny(state.entries, target);
    if (state.entries && present && denyTakesEffect(state.entries, present, target)) return [];
    let ruleNumber: number | ReturnType<typeof liveValue> = liveValue(
      `DescribeNetworkAcls: lowest free inbound rule number in ${target.first}-${target.last}`,
    );
    if (state.entries) {
      const used = new Set(state.entries.filter((entry) => !entry.egress).map((entry) => entry.ruleNumber));
      let free = target.first;
      while (free <= target.last && used.has(free)) free++;
      if (free > target.last) {
        throw new CannotPlan(
          `network ACL ${target.aclId} has no free inbound rule number in ${target.first}-${target.last}`,
        );
      }
      // Entries are evaluated lowest number first: a deny after an allow that admits the address
      // would change nothing.
      const allow = firstAllow(state.entries, target);
      if (allow && allow.ruleNumber < free) {
        throw new CannotPlan(
          `inbound rule ${allow.ruleNumber} of network ACL ${target.aclId} allows ${target.cidr} before any free rule number in ${target.first}-${target.last} (lowest free: ${free}): configure remediation.networkAcl.ruleNumbers below ${allow.ruleNumber}`,
        );
      }
      ruleNumber = free;
    }
    return [
      awsCall(
        "ec2",
        "CreateNetworkAclEntry",
        {
          NetworkAclId: target.aclId,
          RuleNumber: ruleNumber,
          Protocol: "-1",
          RuleAction: "deny",
          Egress: false,
          ...(target.version === 4 ? { CidrBlock: target.cidr } : { Ipv6CidrBlock: target.cidr }),
        },
        target.region,
      ),
    ];
  },
};
