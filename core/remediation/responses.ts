import { configuredMode, type RiposteConfig } from "../config/schema.js";
import { CATALOG, getDetection } from "../detections/catalog.js";
import type { DetectionResponse } from "../detections/types.js";
import { REMEDIATION_ACTION_IDS, type RemediationActionId } from "../model/actions.js";
import { type DetectionId, isDetectionId } from "../model/catalog.js";
import type { Finding } from "../model/incident.js";
import { GUARDDUTY_ACTIONS, guardDutyAction } from "./guardduty.js";
import { SECURITYHUB_ACTIONS, securityHubAction } from "./securityhub.js";
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

/** A notify-only response: a user's rule finding that carries no declaration of its own. */
const NOTIFY: DetectionResponse = { mode: "notify" };

/** The default response of what a finding names: a built-in detection (catalog) or a user's rule (carried on the finding). */
export function responseOf(finding: Pick<Finding, "detection" | "rule">): DetectionResponse {
  if (isDetectionId(finding.detection)) return defaultResponse(finding.detection);
  return finding.rule?.response ?? NOTIFY;
}

/** The mode configured for a built-in detection (`detections.<id>`); users' rules have none. */
export function configuredModeOf(config: RiposteConfig, detection: Finding["detection"]) {
  return isDetectionId(detection) ? configuredMode(config, detection) : undefined;
}

/**
 * Detections whose action depends on the finding they relay (GuardDuty's finding type, Security
 * Hub's control): the mapping, and every action it can choose.
 */
const FINDING_MAPPERS: Partial<
  Record<DetectionId, (facts: Record<string, unknown>) => { action?: RemediationActionId; note: string }>
> = {
  "guardduty-finding": guardDutyAction,
  "securityhub-finding": securityHubAction,
};
const FINDING_ACTIONS: Partial<Record<DetectionId, readonly RemediationActionId[]>> = {
  "guardduty-finding": GUARDDUTY_ACTIONS,
  "securityhub-finding": SECURITYHUB_ACTIONS,
};

/** Whether a detection's action depends on the finding it relays (GuardDuty, Security Hub). */
export function actionDependsOnFinding(detection: string): boolean {
  return Object.hasOwn(FINDING_MAPPERS, detection);
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
  const mapper = FINDING_MAPPERS[incident.detection as DetectionId];
  if (mapper) {
    const mapped = mapper(incident.facts);
    action = mapped.action;
    notes.push(mapped.note);
  } else {
    action = responseOf(incident).action;
    if (!action) notes.push(`${incident.detection} has no remediation: notify only`);
  }
  if (action === "s3-block-public-access" && incident.facts.accountLevel === true) {
    action = "s3-account-block-public-access";
  }
  // guardduty-suppressed: a suppression rule is deleted (after approval), a trusted IP list deactivated.
  const suppression = incident.facts.eventName;
  if (action === "guardduty-deactivate-ip-set" && (suppression === "CreateFilter" || suppression === "UpdateFilter")) {
    action = "guardduty-delete-filter";
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

/** The actions `chooseActions` may turn `action` into under `config`. */
function variantsOf(action: RemediationActionId, config: RiposteConfig): RemediationActionId[] {
  switch (action) {
    case "s3-block-public-access":
      return [action, "s3-account-block-public-access"];
    case "iam-deactivate-access-key":
      return [action, "iam-revoke-sessions"];
    case "guardduty-deactivate-ip-set":
      return [action, "guardduty-delete-filter"];
    case "waf-block-ip":
    case "nacl-deny-ip":
      if (config.remediation.wafIpSet) return ["waf-block-ip"];
      return config.remediation.networkAcl ? ["nacl-deny-ip"] : [];
    default:
      return [action];
  }
}

/**
 * Every action some incident can get under `config`: the responses of the detections not switched
 * off or to notify only, with the variants the facts can choose (account-level block, temporary
 * keys, WAF or network ACL as configured). The deployed remediation roles are granted these
 * actions' permissions and no others.
 */
export function actionsInUse(config: RiposteConfig): RemediationActionId[] {
  if (config.remediation.mode === "off") return [];
  const used = new Set<RemediationActionId>();
  for (const definition of CATALOG) {
    const relayed = FINDING_ACTIONS[definition.id];
    const mode = configuredMode(config, definition.id) ?? (relayed ? "auto" : definition.response.mode);
    if (mode === "off" || mode === "notify") continue;
    const actions = relayed ?? (definition.response.action ? [definition.response.action] : []);
    for (const action of actions) for (const variant of variantsOf(action, config)) used.add(variant);
  }
  return REMEDIATION_ACTION_IDS.filter((id) => used.has(id));
}
