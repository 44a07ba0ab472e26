import type { Enrichment, Priority } from "../model/incident.js";
import type { WorkingIncident } from "../model/tasks.js";

/**
 * Words shared by the Slack and SNS renderings. These return raw text: each renderer escapes it
 * for its medium (mrkdwn for Slack, one line per field for e-mail and SMS).
 */

export const PRIORITY_EMOJI: Record<Priority, string> = { P1: "🔴", P2: "🟠", P3: "🟡", P4: "🔵" };

export const STATUS_EMOJI: Record<WorkingIncident["status"], string> = {
  NEW: "🆕",
  TRIAGED: "🔎",
  AWAITING_APPROVAL: "⏳",
  PROCESSING: "⚙️",
  MITIGATED: "✅",
  DISMISSED: "⚪",
  FAILED: "❌",
  NOTIFIED: "📣",
  RESOLVED: "☑️",
  SUPPRESSED: "🔕",
};

/** "Frankfurt am Main, Germany · AS15169 Google LLC · trusted network" */
export function describeSourceDetail(source: Enrichment["source"]): string {
  if (!source) return "";
  const parts: string[] = [];
  const geo = source.geo;
  const place = [geo?.city, geo?.countryName ?? geo?.country].filter(Boolean).join(", ");
  if (place) parts.push(place);
  if (geo?.asn !== undefined) parts.push(`AS${geo.asn}${geo.asOrg ? ` ${geo.asOrg}` : ""}`);
  if (source.kind !== "public") parts.push(source.kind === "aws" ? "AWS network" : `${source.kind} address`);
  if (source.trusted) parts.push("trusted network");
  return parts.join(" · ");
}

/** "IAM user, MFA used · new address" */
export function describePrincipalDetail(principal: Enrichment["principal"]): string {
  if (!principal) return "";
  const kinds: Record<string, string> = {
    root: "root account",
    "iam-user": "IAM user",
    "assumed-role": "assumed role",
    federated: "federated user",
    "aws-service": "AWS service",
    unknown: "",
  };
  const parts = [kinds[principal.type] ?? ""];
  if (principal.mfa !== undefined) parts.push(principal.mfa ? "MFA used" : "no MFA");
  if (principal.newIp) parts.push("new address");
  if (principal.newDevice) parts.push("new device");
  if (principal.priorIncidents) parts.push(`${principal.priorIncidents} earlier incident(s)`);
  return parts.filter(Boolean).join(" · ");
}

/** "security-group · production · protected" */
export function describeResourceDetail(resource: Enrichment["resource"]): string {
  if (!resource) return "";
  const parts = [resource.type];
  if (resource.production) parts.push("production");
  if (resource.protected) parts.push("protected");
  return parts.join(" · ");
}

const ROUTE_WORDS: Record<string, string> = {
  auto: "Remediate automatically",
  approval: "Remediate after approval",
  notify: "Notify only",
  dismiss: "Dismiss",
};

/** "Remediate after approval" */
export function describeRoute(route: string): string {
  return ROUTE_WORDS[route] ?? route;
}

/** "+55" / "-15" */
export function signedPoints(points: number): string {
  return points >= 0 ? `+${points}` : `${points}`;
}

/** The one-line "what happened to it" summary used in SMS and subjects: trusted fields only. */
export function trustedHeadline(incident: WorkingIncident): string {
  const priority = incident.score?.priority ?? "P?";
  return `${priority} ${incident.severity} ${incident.detection} ${incident.status}`;
}

/** `$states.errorOutput` (`{ Error, Cause }`) or any thrown value as text. */
export function describeError(error: unknown): string {
  if (error === undefined || error === null) return "";
  if (typeof error === "string") return error;
  if (typeof error === "object") {
    const record = error as { Error?: unknown; Cause?: unknown; error?: unknown; message?: unknown };
    const name = record.Error ?? record.error;
    const cause = record.Cause ?? record.message;
    const parts = [name, cause].filter((part) => typeof part === "string" && part !== "") as string[];
    if (parts.length > 0) return parts.join(": ");
  }
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}
