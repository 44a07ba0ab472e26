import { isWorldOpen } from "../../net/ip.js";
import { awsCall } from "../aws/calls.js";
import type { ActionPlanner } from "../types.js";
import { eventNameOf, ID_PATTERNS, notApplicable, ok, quoted } from "./facts.js";
import type { NaclEntry } from "./nacl.plan.js";

/**
 * `nacl-delete-allow-all-entry`: DeleteNetworkAclEntry of the inbound allow-all entry that
 * CreateNetworkAclEntry added (nacl-allow-all's networkAclId, ruleNumber, egress). The entry is
 * deleted only while it still allows all protocols from a world-open range: an entry changed
 * since is someone's later decision, and with the allow-all gone there is nothing to undo.
 *
 * ReplaceNetworkAclEntry is not undone: the event carries only the new entry, and Riposte keeps
 * no earlier copy of network ACLs (the snapshot before remediation is taken after the replace),
 * so there is nothing to restore and deleting the entry would change the ACL further.
 */

export interface AllowAllEntryTarget {
  networkAclId: string;
  ruleNumber: number;
  region: string;
}

export interface AllowAllEntryState {
  /** The inbound entry at the rule number, if any; undefined when not read live. */
  entry?: NaclEntry | null;
}

/** Whether an entry allows all protocols from anywhere: the risk this action removes. */
export function isAllowAll(entry: NaclEntry | null | undefined): boolean {
  if (!entry || entry.egress || entry.action !== "allow" || entry.protocol !== "-1") return false;
  const range = entry.cidr ?? entry.ipv6Cidr;
  return range !== undefined && isWorldOpen(range);
}

const REPLACED =
  "ReplaceNetworkAclEntry overwrote an existing entry: the event does not carry the previous entry and Riposte keeps no earlier copy of the network ACL, so it cannot be restored; review the entry by hand";

export const deleteAllowAllEntryPlanner: ActionPlanner<AllowAllEntryTarget, AllowAllEntryState> = {
  id: "nacl-delete-allow-all-entry",
  description: "Delete the inbound allow-all network ACL entry the event added (DeleteNetworkAclEntry).",
  permissions: ["ec2:DescribeNetworkAcls", "ec2:DeleteNetworkAclEntry"],
  // Removes exactly the entry the offending call added.
  destructive: false,
  resolve(incident) {
    const facts = incident.facts;
    const eventName = eventNameOf(facts);
    if (eventName === "ReplaceNetworkAclEntry") return notApplicable(REPLACED);
    if (eventName !== "CreateNetworkAclEntry") {
      return notApplicable(
        `nacl-delete-allow-all-entry undoes CreateNetworkAclEntry, not ${quoted(eventName ?? "(no event name)")}`,
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
    return ok({ networkAclId, ruleNumber, region: incident.region });
  },
  label: (target) => `network ACL ${target.networkAclId} inbound entry ${target.ruleNumber}`,
  describe: ({ target }) =>
    `Delete inbound entry ${target.ruleNumber} (allow all traffic from anywhere) of network ACL ${target.networkAclId}; it can be added again.`,
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
    return [
      awsCall(
        "ec2",
        "DeleteNetworkAclEntry",
        { NetworkAclId: target.networkAclId, RuleNumber: target.ruleNumber, Egress: false },
        target.region,
      ),
    ];
  },
};
