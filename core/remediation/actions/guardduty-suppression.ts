import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import {
  deactivateIpSetPlanner,
  deleteFilterPlanner,
  type FilterState,
  type FilterTarget,
  type IpSetState,
  type IpSetTarget,
  ipSetInEffect,
} from "./guardduty-suppression.plan.js";
import { check, gone, goneOr, sendAll } from "./live.js";

/**
 * The GuardDuty suppression actions, live. Whether the detector still exists is read from
 * ListDetectors (GuardDuty answers an unknown detector with the generic BadRequestException);
 * with the detector there and the ids validated, GetIPSet's or GetFilter's BadRequestException
 * means the list or the filter is gone (GuardDuty: "no such resource found").
 */

const NOT_FOUND = ["BadRequestException"];

async function detectorExists(ctx: LiveContext<{ detectorId: string; region: string }>): Promise<void> {
  const { detectorId, region } = ctx.target;
  const listed = await ctx.aws.send("guardduty", "ListDetectors", {}, region);
  if (!listed.DetectorIds?.includes(detectorId)) gone(`GuardDuty detector ${detectorId} no longer exists`);
}

async function ipSetSnapshot(ctx: LiveContext<IpSetTarget>): Promise<Snapshot<IpSetState>> {
  const { detectorId, ipSetId, region } = ctx.target;
  return goneOr(NOT_FOUND, `GuardDuty IP set ${ipSetId} no longer exists`, async () => {
    await detectorExists(ctx);
    const set = await ctx.aws.send("guardduty", "GetIPSet", { DetectorId: detectorId, IpSetId: ipSetId }, region);
    return {
      state: {
        status: set.Status ?? "unknown",
        ...(set.Name ? { name: set.Name } : {}),
        ...(set.Location ? { location: set.Location } : {}),
        ...(set.Format ? { format: set.Format } : {}),
      },
      tags: [{ ...set.Tags }],
    };
  });
}

async function filterSnapshot(ctx: LiveContext<FilterTarget>): Promise<Snapshot<FilterState>> {
  const { detectorId, filterName, region } = ctx.target;
  return goneOr(NOT_FOUND, `GuardDuty filter ${filterName} no longer exists`, async () => {
    await detectorExists(ctx);
    const { $metadata: _, ...filter } = await ctx.aws.send(
      "guardduty",
      "GetFilter",
      { DetectorId: detectorId, FilterName: filterName },
      region,
    );
    return { state: { action: filter.Action ?? "unknown", filter }, tags: [{ ...filter.Tags }] };
  });
}

export const deactivateIpSet: RemediationAction<IpSetTarget, IpSetState> = {
  ...deactivateIpSetPlanner,
  errors: { gone: NOT_FOUND },
  snapshot: ipSetSnapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await ipSetSnapshot(ctx);
    if ("gone" in read) return [check("target gone", true, read.gone)];
    return [
      check(
        `IP set ${ctx.target.ipSetId} not trusted`,
        !ipSetInEffect(read.state.status),
        `Status: ${read.state.status}`,
      ),
    ];
  },
};

export const deleteFilter: RemediationAction<FilterTarget, FilterState> = {
  ...deleteFilterPlanner,
  errors: { gone: NOT_FOUND },
  snapshot: filterSnapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await filterSnapshot(ctx);
    if ("gone" in read) return [check(`filter ${ctx.target.filterName} deleted`, true, read.gone)];
    return [
      check(
        `filter ${ctx.target.filterName} archives nothing`,
        read.state.action !== "ARCHIVE",
        `Action: ${read.state.action}`,
      ),
    ];
  },
};
