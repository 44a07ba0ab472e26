import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import { type DetectorState, type DetectorTarget, enableDetectorPlanner } from "./guardduty-detector.plan.js";
import { check, gone, goneOr, sendAll } from "./live.js";

/**
 * `guardduty-enable-detector`, live. GuardDuty answers a detector id it does not know with the
 * generic BadRequestException, so whether the detector still exists is read from ListDetectors
 * (one detector per account and region). A deleted detector is "gone" for the runner, but
 * verification fails it: without a detector nothing is watched, and a person must create one.
 */

async function snapshot(ctx: LiveContext<DetectorTarget>): Promise<Snapshot<DetectorState>> {
  const { detectorId, region } = ctx.target;
  return goneOr([], "", async () => {
    const listed = await ctx.aws.send("guardduty", "ListDetectors", {}, region);
    if (!listed.DetectorIds?.includes(detectorId)) {
      gone(`GuardDuty detector ${detectorId} was deleted: create a detector again`);
    }
    const detector = await ctx.aws.send("guardduty", "GetDetector", { DetectorId: detectorId }, region);
    return { state: { status: detector.Status ?? "unknown" }, tags: [{ ...detector.Tags }] };
  });
}

export const enableDetector: RemediationAction<DetectorTarget, DetectorState> = {
  ...enableDetectorPlanner,
  errors: {},
  snapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await snapshot(ctx);
    if ("gone" in read) return [check("detector exists", false, read.gone)];
    return [check(`detector ${ctx.target.detectorId} enabled`, read.state.status === "ENABLED", read.state.status)];
  },
};
