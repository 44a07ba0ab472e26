import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import { startLoggingPlanner, type TrailState, type TrailTarget } from "./cloudtrail.plan.js";
import { check, goneOr, sendAll, tagMap } from "./live.js";

/**
 * `cloudtrail-start-logging`, live. A deleted trail is "gone" for the runner (nothing to send),
 * but verification fails it: without the trail nothing is logged, and a person must recreate it.
 */

const NO_TRAIL = ["TrailNotFoundException"];

async function snapshot(ctx: LiveContext<TrailTarget>): Promise<Snapshot<TrailState>> {
  const { name, region } = ctx.target;
  return goneOr(NO_TRAIL, `trail ${name} was deleted: recreate it`, async () => {
    const trail = await ctx.aws.send("cloudtrail", "GetTrail", { Name: name }, region);
    const status = await ctx.aws.send("cloudtrail", "GetTrailStatus", { Name: name }, region);
    const arn = trail.Trail?.TrailARN;
    const listed = arn ? await ctx.aws.send("cloudtrail", "ListTags", { ResourceIdList: [arn] }, region) : undefined;
    const tags = tagMap(listed?.ResourceTagList?.find((entry) => entry.ResourceId === arn)?.TagsList);
    return { state: { logging: status.IsLogging === true }, tags: [tags] };
  });
}

export const startLogging: RemediationAction<TrailTarget, TrailState> = {
  ...startLoggingPlanner,
  errors: { gone: NO_TRAIL },
  snapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await snapshot(ctx);
    if ("gone" in read) return [check("trail exists", false, read.gone)];
    return [check(`trail ${ctx.target.name} is logging`, read.state.logging, `IsLogging: ${read.state.logging}`)];
  },
};
