import { awsCall } from "../aws/calls.js";
import type { ActionPlanner } from "../types.js";
import { ID_PATTERNS, notApplicable, ok } from "./facts.js";

/**
 * `ec2-stop-instances`: StopInstances on the instances ec2-gpu-launch saw launched (instanceIds).
 * Stopping ends the compute bill (EBS volumes are kept, instance store data is lost) and can be
 * undone with StartInstances; terminating is left to people. Only instances still pending or
 * running are stopped.
 */

export interface StopTarget {
  instanceIds: string[];
  region: string;
}

export interface StopState {
  /** Each instance found and its state name; undefined when not read live. */
  instances?: { instanceId: string; state: string }[];
}

/** StopInstances takes at most this many ids per call in practice; a launch of more is stopped by hand. */
export const MAX_INSTANCES = 50;

/** States in which an instance is (or is becoming) stopped or gone: nothing to stop. */
export const AT_REST = ["stopping", "stopped", "shutting-down", "terminated"];

export const stopInstancesPlanner: ActionPlanner<StopTarget, StopState> = {
  id: "ec2-stop-instances",
  description: "Stop the launched instances (StopInstances); they can be started again.",
  permissions: ["ec2:DescribeInstances", "ec2:StopInstances"],
  // Whatever runs on the instances stops, and instance store data is lost.
  destructive: true,
  resolve(incident) {
    const listed = incident.facts.instanceIds;
    if (!Array.isArray(listed)) return notApplicable("the incident's facts name no launched instances (instanceIds)");
    const ids = [
      ...new Set(listed.filter((id): id is string => typeof id === "string" && ID_PATTERNS.instance.test(id))),
    ];
    if (ids.length === 0) return notApplicable("the incident's facts name no launched instances (instanceIds)");
    if (ids.length > MAX_INSTANCES) {
      return notApplicable(`${ids.length} instances were launched: more than ${MAX_INSTANCES}, stop them by hand`);
    }
    if (!ID_PATTERNS.region.test(incident.region)) return notApplicable("the incident names no valid region");
    return ok({ instanceIds: ids.sort(), region: incident.region });
  },
  label: (target) =>
    target.instanceIds.length === 1
      ? `instance ${target.instanceIds[0]}`
      : `${target.instanceIds.length} instances (${target.instanceIds.join(", ")})`,
  describe: ({ target }) =>
    `Stop ${target.instanceIds.length === 1 ? "instance" : "instances"} ${target.instanceIds.join(", ")}; they can be started again (instance store data is lost).`,
  assume: ({ target }) => ({ instances: target.instanceIds.map((instanceId) => ({ instanceId, state: "running" })) }),
  plan({ target, state }) {
    // In the target's (sorted) order, whatever order AWS listed them in.
    const stateOf = new Map((state.instances ?? []).map((instance) => [instance.instanceId, instance.state]));
    const running = target.instanceIds.filter((id) => {
      const name = stateOf.get(id);
      return name !== undefined && !AT_REST.includes(name);
    });
    if (running.length === 0) return [];
    return [awsCall("ec2", "StopInstances", { InstanceIds: running }, target.region)];
  },
};
