import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import { check, gone, goneOr, sendAll, tagMap } from "./live.js";
import { entryOf } from "./nacl.js";
import {
  type AllowAllEntryState,
  type AllowAllEntryTarget,
  deleteAllowAllEntryPlanner,
  isAllowAll,
} from "./nacl-allow-all.plan.js";

/**
 * `nacl-delete-allow-all-entry`, live: the network ACL (its tags for the guardrails) and its
 * inbound entry at the rule number; a deleted ACL is gone, an entry deleted since is done.
 */

const NO_ACL = ["InvalidNetworkAclID.NotFound"];

async function snapshot(ctx: LiveContext<AllowAllEntryTarget>): Promise<Snapshot<AllowAllEntryState>> {
  const { networkAclId, ruleNumber, region } = ctx.target;
  const reason = `network ACL ${networkAclId} no longer exists`;
  return goneOr(NO_ACL, reason, async () => {
    const answer = await ctx.aws.send("ec2", "DescribeNetworkAcls", { NetworkAclIds: [networkAclId] }, region);
    const acl = answer.NetworkAcls?.find((a) => a.NetworkAclId === networkAclId);
    if (!acl) gone(reason);
    const entry = (acl.Entries ?? [])
      .map(entryOf)
      .find((candidate) => !candidate.egress && candidate.ruleNumber === ruleNumber);
    return { state: { entry: entry ?? null }, tags: [tagMap(acl.Tags)] };
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
    const entry = read.state.entry;
    return [
      check(
        `inbound entry ${ctx.target.ruleNumber} allows no longer all traffic from anywhere`,
        !isAllowAll(entry),
        entry ? `${entry.action} ${entry.protocol} from ${entry.cidr ?? entry.ipv6Cidr ?? "?"}` : "no entry",
      ),
    ];
  },
};
