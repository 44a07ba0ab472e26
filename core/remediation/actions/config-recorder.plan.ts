import { awsCall } from "../aws/calls.js";
import type { ActionPlanner } from "../types.js";
import { ID_PATTERNS, notApplicable, ok, undoneEvent } from "./facts.js";

/**
 * `config-start-recorder`: StartConfigurationRecorder on a stopped AWS Config recorder, in the
 * incident's region (a recorder belongs to one region). A deleted recorder or delivery channel
 * cannot be started again: what it recorded is unchanged but it must be recreated, so that is
 * reported.
 */

export interface RecorderTarget {
  name: string;
  region: string;
}

export interface RecorderState {
  recording: boolean;
}

const LIMITS = {
  DeleteConfigurationRecorder:
    "the configuration recorder was deleted: StartConfigurationRecorder cannot bring it back; recreate the recorder",
  DeleteDeliveryChannel:
    "the delivery channel was deleted: StartConfigurationRecorder cannot bring it back (a recorder records only with a channel); recreate the delivery channel",
};

export const startRecorderPlanner: ActionPlanner<RecorderTarget, RecorderState> = {
  id: "config-start-recorder",
  description: "Start the stopped AWS Config configuration recorder again (StartConfigurationRecorder).",
  permissions: [
    "config:DescribeConfigurationRecorders",
    "config:DescribeConfigurationRecorderStatus",
    "config:ListTagsForResource",
    "config:StartConfigurationRecorder",
  ],
  destructive: false,
  resolve(incident) {
    const undone = undoneEvent(incident.facts, ["StopConfigurationRecorder"], LIMITS, "StartConfigurationRecorder");
    if (!undone.ok) return undone;
    const name = incident.facts.recorderName;
    if (typeof name !== "string" || !ID_PATTERNS.configRecorder.test(name)) {
      return notApplicable("the incident's facts name no configuration recorder");
    }
    if (!ID_PATTERNS.region.test(incident.region)) return notApplicable("the incident names no valid region");
    return ok({ name, region: incident.region });
  },
  label: (target) => `configuration recorder ${target.name} (${target.region})`,
  describe: ({ target }) => `Start AWS Config configuration recorder ${target.name} in ${target.region} again.`,
  assume: () => ({ recording: false }),
  plan: ({ target, state }) =>
    state.recording
      ? []
      : [awsCall("config", "StartConfigurationRecorder", { ConfigurationRecorderName: target.name }, target.region)],
};
