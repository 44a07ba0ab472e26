import { awsCall } from "../aws/calls.js";
import type { ActionPlanner } from "../types.js";
import { ID_PATTERNS, notApplicable, ok, undoneEvent } from "./facts.js";

/**
 * `guardduty-enable-detector`: UpdateDetector Enable=true on a suspended GuardDuty detector, in
 * the incident's region (a detector belongs to one region). It turns the detector on and nothing
 * else: publishing frequency, data sources and features stay as they are. A deleted detector
 * cannot be re-enabled: its findings are gone and a new one must be created, so that is reported.
 */

export interface DetectorTarget {
  detectorId: string;
  region: string;
}

export interface DetectorState {
  /** GuardDuty's `Status`: ENABLED or DISABLED. */
  status: string;
}

const LIMITS = {
  DeleteDetector:
    "the detector was deleted: UpdateDetector cannot bring it back (its findings went with it); create a detector again",
};

export const enableDetectorPlanner: ActionPlanner<DetectorTarget, DetectorState> = {
  id: "guardduty-enable-detector",
  description: "Turn the suspended GuardDuty detector back on (UpdateDetector Enable=true).",
  permissions: ["guardduty:ListDetectors", "guardduty:GetDetector", "guardduty:UpdateDetector"],
  destructive: false,
  resolve(incident) {
    const undone = undoneEvent(incident.facts, ["UpdateDetector"], LIMITS, "UpdateDetector Enable=true");
    if (!undone.ok) return undone;
    const detectorId = incident.facts.detectorId;
    if (typeof detectorId !== "string" || !ID_PATTERNS.guardDutyDetector.test(detectorId)) {
      return notApplicable("the incident's facts name no GuardDuty detector");
    }
    if (!ID_PATTERNS.region.test(incident.region)) return notApplicable("the incident names no valid region");
    return ok({ detectorId, region: incident.region });
  },
  label: (target) => `GuardDuty detector ${target.detectorId} (${target.region})`,
  describe: ({ target }) =>
    `Turn GuardDuty detector ${target.detectorId} in ${target.region} back on; its other settings are left as they are.`,
  assume: () => ({ status: "DISABLED" }),
  plan: ({ target, state }) =>
    state.status === "ENABLED"
      ? []
      : [awsCall("guardduty", "UpdateDetector", { DetectorId: target.detectorId, Enable: true }, target.region)],
};
