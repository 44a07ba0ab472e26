import type { NetworkAclEntry } from "@aws-sdk/client-ec2";
import { CannotPlan } from "../errors.js";
import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import { check, sendAll, unlessAbsent } from "./live.js";
import {
  entryMatches,
  existingDeny,
  type NaclEntry,
  type NaclState,
  type NaclTarget,
  naclDenyIpPlanner,
} from "./nacl.plan.js";

/**
 * `nacl-deny-ip`, live. Verification checks the deny entry exists and that no allow entry for
 * the address is evaluated before it (a lower rule number), or the deny would never apply.
 */

/** A DescribeNetworkAcls entry, as the plans read it. */
export function entryOf(entry: NetworkAclEntry): NaclEntry {
  return {
    ruleNumber: entry.RuleNumber ?? 0,
    egress: entry.Egress === true,
    action: entry.RuleAction === "deny" ? "deny" : "allow",
    protocol: entry.Protocol ?? "-1",
    ...(entry.CidrBlock ? { cidr: entry.CidrBlock } : {}),
    ...(entry.Ipv6CidrBlock ? { ipv6Cidr: entry.Ipv6CidrBlock } : {}),
  };
}

async function snapshot(ctx: LiveContext<NaclTarget>): Promise<Snapshot<NaclState>> {
  const { aclId, region } = ctx.target;
  const answer = await unlessAbsent(
    () => ctx.aws.send("ec2", "DescribeNetworkAcls", { NetworkAclIds: [aclId] }, region),
    ["InvalidNetworkAclID.NotFound"],
    undefined,
  );
  const acl = answer?.NetworkAcls?.find((a) => a.NetworkAclId === aclId);
  if (!acl) throw new CannotPlan(`the configured network ACL ${aclId} does not exist`);
  return { state: { entries: (acl.Entries ?? []).map(entryOf) }, tags: [] };
}

export const naclDenyIp: RemediationAction<NaclTarget, NaclState> = {
  ...naclDenyIpPlanner,
  errors: { conflict: ["NetworkAclEntryAlreadyExists"] },
  snapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await snapshot(ctx);
    if ("gone" in read) return [check("network ACL exists", false, read.gone)];
    const entries = read.state.entries ?? [];
    const deny = existingDeny(entries, ctx.target);
    const earlierAllow = entries.find(
      (entry) =>
        !entry.egress &&
        entry.action === "allow" &&
        entryMatches(entry, ctx.target.ip) &&
        (deny === undefined || entry.ruleNumber < deny.ruleNumber),
    );
    return [
      check(`deny entry for ${ctx.target.cidr}`, deny !== undefined, deny ? `rule ${deny.ruleNumber}` : undefined),
      check(
        "no allow entry for the address is evaluated first",
        deny !== undefined && earlierAllow === undefined,
        earlierAllow ? `allow rule ${earlierAllow.ruleNumber} matches first` : undefined,
      ),
    ];
  },
};
