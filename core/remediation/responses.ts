import type { RiposteConfig } from "../config/schema.js";
import { CATALOG, getDetection } from "../detections/catalog.js";
import type { DetectionResponse } from "../detections/types.js";
import type { RemediationActionId } from "../model/actions.js";
import type { DetectionId } from "../model/catalog.js";
import { guardDutyAction } from "./guardduty.js";
import type { IncidentView } from "./types.js";

/**
 * Which remediation each detection gets, and in which mode by default: the detection catalog's
 * `response` (issue 5's defaults: security-group and S3 exposure and CloudTrail restart `auto`;
 * the brute-force deny `auto`; key deactivation and session revocation `approval`; everything
 * else notify only). GuardDuty findings have no single action: it depends on the finding type.
 */

export type { DetectionResponse };

/** The default response of a detection (the catalog's). */
export function defaultResponse(id: DetectionId): DetectionResponse {
  return getDetection(id).response;
}

/** The default mode an action runs in when a GuardDuty finding maps to it (the mode detections give it). */
export function defaultModeOfAction(action: RemediationActionId): DetectionResponse["mode"] {
  const modes = CATALOG.filter((definition) => definition.response.action === action).map((d) => d.response.mode);
  return modes.includes("auto") ? "auto" : "approval";
}

export interface ChosenActions {
  actions: RemediationActionId[];
  /** Why there is no action, or how the choice was adjusted, in plain words. */
  notes: string[];
}

/**
 * The actions an incident gets: the detection's action, GuardDuty's by finding type, adjusted to
 * the facts (account-level public access block, temporary keys, WAF or network ACL configured).
 */
export function chooseActions(incident: IncidentView, config: RiposteConfig): ChosenActions {
  const notes: string[] = [];
  let action: RemediationActionId | undefined;
  if (incident.detection === "guardduty-finding") {
    const mapped = guardDutyAction(incident.facts);
    action = mapped.action;
    notes.push(mapped.note);
  } else {
    action = defaultResponse(incident.detection).action;
    if (!action) notes.push(`${incident.detection} has no remediation: notify only`);
  }
  if (action === "s3-block-public-access" && incident.facts.accountLevel === true) {
    action = "s3-account-block-public-access";
  }
  const key = incident.facts.accessKeyId;
  if (action === "iam-deactivate-access-key" && typeof key === "string" && key.startsWith("ASIA")) {
    action = "iam-revoke-sessions";
    notes.push("the key is a temporary (STS) credential: its sessions are revoked instead");
  }
  if (action === "waf-block-ip" && !config.remediation.wafIpSet && config.remediation.networkAcl) {
    action = "nacl-deny-ip";
  }
  return { actions: action ? [action] : [], notes };
}
