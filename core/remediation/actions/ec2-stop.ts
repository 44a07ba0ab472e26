import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import { AT_REST, type StopState, type StopTarget, stopInstancesPlanner } from "./ec2-stop.plan.js";
import { check, sendAll, tagMap } from "./live.js";

/**
 * `ec2-stop-instances`, live: the instances read by an instance-id filter (an id that no longer
 * exists is simply not listed, where naming it would fail the whole read), each one's tags for the
 * guardrails; none left is gone.
 */

async function snapshot(ctx: LiveContext<StopTarget>): Promise<Snapshot<StopState>> {
  const { instanceIds, region } = ctx.target;
  const instances: NonNullable<StopState["instances"]> = [];
  const tags: Record<string, string>[] = [];
  let token: string | undefined;
  do {
    const page = await ctx.aws.send(
      "ec2",
      "DescribeInstances",
      { Filters: [{ Name: "instance-id", Values: instanceIds }], ...(token ? { NextToken: token } : {}) },
      region,
    );
    for (const instance of (page.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? [])) {
      if (!instance.InstanceId || !instanceIds.includes(instance.InstanceId)) continue;
      instances.push({ instanceId: instance.InstanceId, state: instance.State?.Name ?? "unknown" });
      tags.push(tagMap(instance.Tags));
    }
    token = page.NextToken;
  } while (token);
  if (instances.length === 0) return { gone: `instances ${instanceIds.join(", ")} no longer exist` };
  return { state: { instances }, tags };
}

export const stopInstances: RemediationAction<StopTarget, StopState> = {
  ...stopInstancesPlanner,
  errors: { gone: ["InvalidInstanceID.NotFound"] },
  snapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await snapshot(ctx);
    if ("gone" in read) return [check("target gone", true, read.gone)];
    const running = (read.state.instances ?? []).filter((instance) => !AT_REST.includes(instance.state));
    return [
      check(
        "no instance left running",
        running.length === 0,
        running.length === 0
          ? (read.state.instances ?? []).map((i) => `${i.instanceId}: ${i.state}`).join(", ")
          : `still ${running.map((i) => `${i.instanceId}: ${i.state}`).join(", ")}`,
      ),
    ];
  },
};
