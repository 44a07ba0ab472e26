import { awsCall } from "../aws/calls.js";
import type { ActionPlanner, IncidentView, Resolution } from "../types.js";
import { ID_PATTERNS, notApplicable, ok, undoneEvent } from "./facts.js";

/**
 * What guardduty-suppressed saw, undone. A trusted IP list created, updated or activated
 * (CreateIPSet / UpdateIPSet): `guardduty-deactivate-ip-set`, UpdateIPSet Activate=false — the
 * list and its addresses stay, GuardDuty simply stops trusting them; Activate=true undoes it. A
 * suppression rule (CreateFilter / UpdateFilter with action ARCHIVE): `guardduty-delete-filter`,
 * DeleteFilter after GetFilter kept the whole filter (name, action, rank, description, criteria,
 * tags) in the before-snapshot, so CreateFilter can recreate it. Both in the incident's region.
 */

export interface IpSetTarget {
  detectorId: string;
  ipSetId: string;
  region: string;
}

export interface IpSetState {
  /** GuardDuty's `Status`: INACTIVE, ACTIVATING, ACTIVE, DEACTIVATING, ERROR, DELETE_PENDING, DELETED. */
  status: string;
  name?: string;
  location?: string;
  format?: string;
}

export interface FilterTarget {
  detectorId: string;
  filterName: string;
  region: string;
}

export interface FilterState {
  /** ARCHIVE (suppresses what it matches) or NOOP. */
  action: string;
  /** Everything else GetFilter answered, kept to recreate the filter with CreateFilter. */
  filter?: Record<string, unknown>;
}

/** GuardDuty IP set ids (32 lowercase hex characters in practice). */
const IP_SET_ID = /^[a-z0-9]{1,300}$/;
/** GuardDuty filter names: 3 to 64 letters, digits, `.`, `-` and `_`. */
const FILTER_NAME = /^[A-Za-z0-9._-]{3,64}$/;

/** Statuses in which a trusted IP list is not in effect. */
const NOT_IN_EFFECT = ["INACTIVE", "DEACTIVATING", "DELETE_PENDING", "DELETED"];

function detectorAndRegion(incident: IncidentView): Resolution<{ detectorId: string; region: string }> {
  const detectorId = incident.facts.detectorId;
  if (typeof detectorId !== "string" || !ID_PATTERNS.guardDutyDetector.test(detectorId)) {
    return notApplicable("the incident's facts name no GuardDuty detector");
  }
  if (!ID_PATTERNS.region.test(incident.region)) return notApplicable("the incident names no valid region");
  return ok({ detectorId, region: incident.region });
}

/** Whether an IP list status means GuardDuty no longer trusts the list. */
export const ipSetInEffect = (status: string) => !NOT_IN_EFFECT.includes(status);

export const deactivateIpSetPlanner: ActionPlanner<IpSetTarget, IpSetState> = {
  id: "guardduty-deactivate-ip-set",
  description: "Stop GuardDuty trusting the IP list (UpdateIPSet Activate=false); the list itself is kept.",
  permissions: ["guardduty:ListDetectors", "guardduty:GetIPSet", "guardduty:UpdateIPSet"],
  // Only findings change: GuardDuty reports traffic from those addresses again; no workload is touched.
  destructive: false,
  resolve(incident) {
    const undone = undoneEvent(incident.facts, ["CreateIPSet", "UpdateIPSet"], {}, "UpdateIPSet Activate=false");
    if (!undone.ok) return undone;
    const where = detectorAndRegion(incident);
    if (!where.ok) return where;
    const ipSetId = incident.facts.ipSetId;
    if (typeof ipSetId !== "string" || !IP_SET_ID.test(ipSetId)) {
      return notApplicable("the incident's facts name no GuardDuty IP set");
    }
    return ok({ ...where.target, ipSetId });
  },
  label: (target) => `GuardDuty IP set ${target.ipSetId} of detector ${target.detectorId} (${target.region})`,
  describe: ({ target }) =>
    `Deactivate trusted IP list ${target.ipSetId} of GuardDuty detector ${target.detectorId} in ${target.region}: GuardDuty reports activity from its addresses again; the list is kept, and UpdateIPSet Activate=true undoes this.`,
  // The event's `activate: false` left the list inactive; anything else may have activated it.
  assume: ({ incident }) => ({ status: incident.facts.activate === false ? "INACTIVE" : "ACTIVE" }),
  plan: ({ target, state }) =>
    ipSetInEffect(state.status)
      ? [
          awsCall(
            "guardduty",
            "UpdateIPSet",
            { DetectorId: target.detectorId, IpSetId: target.ipSetId, Activate: false },
            target.region,
          ),
        ]
      : [],
};

export const deleteFilterPlanner: ActionPlanner<FilterTarget, FilterState> = {
  id: "guardduty-delete-filter",
  description:
    "Delete the GuardDuty suppression rule (DeleteFilter), kept whole in the before-snapshot to recreate it.",
  permissions: ["guardduty:ListDetectors", "guardduty:GetFilter", "guardduty:DeleteFilter"],
  // The rule is removed, not paused: one made for known noise goes with it (recreate it from the snapshot).
  destructive: true,
  resolve(incident) {
    const undone = undoneEvent(incident.facts, ["CreateFilter", "UpdateFilter"], {}, "DeleteFilter");
    if (!undone.ok) return undone;
    const where = detectorAndRegion(incident);
    if (!where.ok) return where;
    const filterName = incident.facts.filterName;
    if (typeof filterName !== "string" || !FILTER_NAME.test(filterName)) {
      return notApplicable("the incident's facts name no valid GuardDuty filter");
    }
    return ok({ ...where.target, filterName });
  },
  label: (target) => `GuardDuty filter ${target.filterName} of detector ${target.detectorId} (${target.region})`,
  describe: ({ target }) =>
    `Delete suppression rule ${target.filterName} of GuardDuty detector ${target.detectorId} in ${target.region}, after keeping the whole filter so CreateFilter can recreate it: findings it archived arrive again (those already archived stay archived).`,
  assume: () => ({ action: "ARCHIVE" }),
  plan: ({ target, state }) =>
    state.action === "ARCHIVE"
      ? [
          awsCall(
            "guardduty",
            "DeleteFilter",
            { DetectorId: target.detectorId, FilterName: target.filterName },
            target.region,
          ),
        ]
      : [],
};
