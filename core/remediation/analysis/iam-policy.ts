import { parsePolicy } from "../../risk/resource-policy.js";

/**
 * The inline deny policies Riposte puts on users and roles, and reading them back. Both deny
 * everything under a date condition, so they undo themselves: the temporary deny stops applying
 * at `aws:CurrentTime` = its end, and the session revocation only hits credentials issued
 * (`aws:TokenIssueTime`) before it was written.
 */

export const TEMPORARY_DENY_POLICY = "riposte-temporary-deny";
export const REVOKE_SESSIONS_POLICY = "riposte-revoke-older-sessions";

/** ISO 8601 to the second, as IAM writes dates (`2026-01-31T12:00:00Z`). */
export function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function denyAllUntil(sid: string, key: string, at: Date): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: sid, Effect: "Deny", Action: "*", Resource: "*", Condition: { DateLessThan: { [key]: isoSeconds(at) } } },
    ],
  });
}

/** Deny everything until `until` (then the policy is inert, and the sweep deletes it). */
export function temporaryDenyDocument(until: Date): string {
  return denyAllUntil("RiposteTemporaryDeny", "aws:CurrentTime", until);
}

/** Deny everything to credentials issued before `before`. */
export function revokeSessionsDocument(before: Date): string {
  return denyAllUntil("RiposteRevokeOlderSessions", "aws:TokenIssueTime", before);
}

/** IAM returns policy documents URL-encoded (RFC 3986); accept both forms. */
export function decodePolicyDocument(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (text.trimStart().startsWith("{")) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The date of a deny-all statement's `DateLessThan` on `key`, if the document has one. */
function denyAllDate(document: string | undefined, key: string): string | undefined {
  const policy = parsePolicy(decodePolicyDocument(document));
  for (const statement of policy?.Statement ?? []) {
    const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    if (statement.Effect !== "Deny" || !actions.includes("*") || !resources.includes("*")) continue;
    const value = statement.Condition?.DateLessThan?.[key];
    if (typeof value === "string" && !Number.isNaN(Date.parse(value))) return value;
  }
  return undefined;
}

/** When a temporary deny document stops applying. */
export function deniedUntil(document: string | undefined): string | undefined {
  return denyAllDate(document, "aws:CurrentTime");
}

/** Before which issue time a revocation document denies credentials. */
export function revokedBefore(document: string | undefined): string | undefined {
  return denyAllDate(document, "aws:TokenIssueTime");
}
