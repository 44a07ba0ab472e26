import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import { check, gone, goneOr, sendAll, tagMap } from "./live.js";
import { disablePublicAccessPlanner, type PublicDatabaseState, type PublicDatabaseTarget } from "./rds-public.plan.js";
import { RDS_NOT_FOUND } from "./rds-target.js";

/**
 * `rds-disable-public-access`, live: the instance's `PubliclyAccessible` and tags. An instance
 * deleted since is gone, and nothing is exposed any more.
 */

async function snapshot(ctx: LiveContext<PublicDatabaseTarget>): Promise<Snapshot<PublicDatabaseState>> {
  const { identifier, region } = ctx.target;
  const reason = `DB instance ${identifier} no longer exists`;
  return goneOr(RDS_NOT_FOUND.instance, reason, async () => {
    const described = await ctx.aws.send("rds", "DescribeDBInstances", { DBInstanceIdentifier: identifier }, region);
    const found = described.DBInstances?.[0];
    if (!found) gone(reason);
    return { state: { publiclyAccessible: found.PubliclyAccessible === true }, tags: [tagMap(found.TagList)] };
  });
}

export const disablePublicAccess: RemediationAction<PublicDatabaseTarget, PublicDatabaseState> = {
  ...disablePublicAccessPlanner,
  errors: { gone: RDS_NOT_FOUND.instance },
  snapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await snapshot(ctx);
    if ("gone" in read) return [check("target gone", true, read.gone)];
    return [
      check(
        `${ctx.target.identifier} not publicly accessible`,
        !read.state.publiclyAccessible,
        `PubliclyAccessible: ${read.state.publiclyAccessible}`,
      ),
    ];
  },
};
