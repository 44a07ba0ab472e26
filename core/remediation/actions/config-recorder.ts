import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import { type RecorderState, type RecorderTarget, startRecorderPlanner } from "./config-recorder.plan.js";
import { check, goneOr, sendAll, tagMap } from "./live.js";

/**
 * `config-start-recorder`, live. The recorder's tags are read by its ARN (recorders have one, and
 * tags, since 2024; one without an ARN has no tags to read). A deleted recorder is "gone" for the
 * runner, but verification fails it: nothing is recorded until a person recreates it. Starting
 * fails while the region has no delivery channel; AWS's error says so and the action fails.
 */

const NO_RECORDER = ["NoSuchConfigurationRecorderException"];

async function snapshot(ctx: LiveContext<RecorderTarget>): Promise<Snapshot<RecorderState>> {
  const { name, region } = ctx.target;
  return goneOr(NO_RECORDER, `configuration recorder ${name} was deleted: recreate it`, async () => {
    const names = { ConfigurationRecorderNames: [name] };
    const described = await ctx.aws.send("config", "DescribeConfigurationRecorders", names, region);
    const status = await ctx.aws.send("config", "DescribeConfigurationRecorderStatus", names, region);
    const arn = described.ConfigurationRecorders?.find((recorder) => recorder.name === name)?.arn;
    const listed = arn ? await ctx.aws.send("config", "ListTagsForResource", { ResourceArn: arn }, region) : undefined;
    const recording = status.ConfigurationRecordersStatus?.find((entry) => entry.name === name)?.recording === true;
    return { state: { recording }, tags: [tagMap(listed?.Tags)] };
  });
}

export const startRecorder: RemediationAction<RecorderTarget, RecorderState> = {
  ...startRecorderPlanner,
  errors: { gone: NO_RECORDER },
  snapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await snapshot(ctx);
    if ("gone" in read) return [check("recorder exists", false, read.gone)];
    return [
      check(`recorder ${ctx.target.name} is recording`, read.state.recording, `recording: ${read.state.recording}`),
    ];
  },
};
