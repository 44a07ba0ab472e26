import { CannotPlan } from "../errors.js";
import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import { check, sendAll, unlessAbsent } from "./live.js";
import { coveredBy, type WafState, type WafTarget, wafBlockIpPlanner } from "./waf.plan.js";

/**
 * `waf-block-ip`, live: GetIPSet gives the addresses and the lock token; a stale token on update
 * (WAFOptimisticLockException) is a conflict: the runner reads again and re-plans. A missing IP
 * set is a configuration error, not "already gone".
 */

async function snapshot(ctx: LiveContext<WafTarget>): Promise<Snapshot<WafState>> {
  const { name, id, scope, region } = ctx.target;
  const answer = await unlessAbsent(
    () => ctx.aws.send("wafv2", "GetIPSet", { Name: name, Id: id, Scope: scope }, region),
    ["WAFNonexistentItemException"],
    undefined,
  );
  if (!answer?.IPSet) throw new CannotPlan(`the configured WAF IP set ${name} (${id}) does not exist`);
  const set = answer.IPSet;
  return {
    state: {
      addresses: set.Addresses ?? [],
      ...(answer.LockToken ? { lockToken: answer.LockToken } : {}),
      ...(set.Description ? { description: set.Description } : {}),
      ...(set.IPAddressVersion ? { ipVersion: set.IPAddressVersion } : {}),
    },
    tags: [],
  };
}

export const wafBlockIp: RemediationAction<WafTarget, WafState> = {
  ...wafBlockIpPlanner,
  errors: { conflict: ["WAFOptimisticLockException"] },
  snapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await snapshot(ctx);
    if ("gone" in read) return [check("IP set exists", false, read.gone)];
    const blocked = coveredBy(read.state.addresses ?? [], ctx.target.ip);
    return [check(`${ctx.target.cidr} in WAF IP set ${ctx.target.name}`, blocked)];
  },
};
