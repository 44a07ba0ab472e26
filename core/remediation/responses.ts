import type { DetectionMode, RiposteConfig } from "../config/schema.js";
import type { RemediationActionId } from "../model/actions.js";
import type { DetectionId } from "../model/catalog.js";
import { guardDutyAction } from "./guardduty.js";
import type { IncidentView } from "./types.js";

/**
 * Which remediation each detection gets, and in which mode by default (issue 5's defaults:
 * security-group and S3 exposure and CloudTrail restart `auto`; the brute-force deny `auto`; key
 * deactivation and session revocation `approval`; everything else notify only). The detection
 * catalog (`core/detections/catalog.ts`, `response`) is meant to carry the same defaults; this
 * table is the remediation side's copy until it does.
 */

export interface DetectionResponse {
  mode: Exclude<DetectionMode, "off">;
  action?: RemediationActionId;
}

const notifyOnly: DetectionResponse = { mode: "notify" };
const revokeRules: DetectionResponse = { mode: "auto", action: "revoke-sg-rules" };

export const DEFAULT_RESPONSES: Readonly<Record<DetectionId, DetectionResponse>> = {
  "root-account-usage": notifyOnly,
  "console-login-failure": notifyOnly,
  "console-login-brute-force": { mode: "auto", action: "iam-deny-temporarily" },
  "console-login-new-ip": notifyOnly,
  "console-login-new-device": notifyOnly,
  "mfa-deactivated": notifyOnly,
  "credential-change": notifyOnly,
  "access-key-created": notifyOnly,
  "access-key-anomalous-use": { mode: "approval", action: "iam-deactivate-access-key" },
  "impossible-travel": { mode: "approval", action: "iam-revoke-sessions" },
  "unusual-region": notifyOnly,
  "cloudtrail-tampering": { mode: "auto", action: "cloudtrail-start-logging" },
  "web-scanning": { mode: "auto", action: "waf-block-ip" },
  "sg-ssh-open-world": revokeRules,
  "sg-rule-modified-open": revokeRules,
  "sg-created-open": revokeRules,
  "sg-high-risk-port-open": revokeRules,
  "sg-temporary-rule": revokeRules,
  "sg-prod-tag-violation": revokeRules,
  // Not world-open, only outside the allowed ranges: a person confirms.
  "sg-ssh-restricted-cidr": { mode: "approval", action: "revoke-sg-rules" },
  "sg-zombie-rule": revokeRules,
  "sg-open-then-connection": revokeRules,
  "ec2-launched-with-open-sg": revokeRules,
  "sg-repeated-open": revokeRules,
  "config-sg-open-to-world": revokeRules,
  // Resolves earlier incidents; there is nothing left to remediate.
  "sg-risk-resolved": notifyOnly,
  "s3-object-acl-public": { mode: "auto", action: "s3-private-object-acl" },
  "s3-bucket-policy-public": { mode: "auto", action: "s3-remove-public-policy" },
  "s3-public-access-block-disabled": { mode: "auto", action: "s3-block-public-access" },
  "s3-website-enabled": { mode: "auto", action: "s3-delete-website" },
  "s3-cors-permissive": { mode: "auto", action: "s3-restrict-cors" },
  // Restores the last known good policy, which a person should see first.
  "s3-bucket-policy-deleted": { mode: "approval", action: "s3-remove-public-policy" },
  "s3-bucket-acl-public": { mode: "auto", action: "s3-private-acl" },
  // The action depends on the finding type (guardduty.ts); the mode on the action.
  "guardduty-finding": { mode: "auto" },
};

/** The default response of a detection. */
export function defaultResponse(id: DetectionId): DetectionResponse {
  return DEFAULT_RESPONSES[id];
}

/** The default mode an action runs in when a GuardDuty finding maps to it. */
export function defaultModeOfAction(action: RemediationActionId): DetectionResponse["mode"] {
  const modes = Object.values(DEFAULT_RESPONSES)
    .filter((response) => response.action === action)
    .map((response) => response.mode);
  return modes.includes("auto") ? "auto" : modes.includes("approval") ? "approval" : "approval";
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
