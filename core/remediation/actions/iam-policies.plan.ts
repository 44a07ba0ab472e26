import {
  REVOKE_SESSIONS_POLICY,
  revokeSessionsDocument,
  TEMPORARY_DENY_POLICY,
  temporaryDenyDocument,
} from "../analysis/iam-policy.js";
import { awsCall } from "../aws/calls.js";
import type { ActionPlanner } from "../types.js";
import { type IamPrincipal, resolvePrincipal } from "./iam-principal.js";

/**
 * `iam-deny-temporarily`: an inline deny-all on the user that expires by itself
 * (`aws:CurrentTime`, `remediation.denyPolicyMinutes`, default 30) and is deleted afterwards.
 * `iam-revoke-sessions`: an inline deny-all on the user or role for credentials issued before now
 * (`aws:TokenIssueTime`), as the IAM console's "Revoke active sessions" does.
 */

export interface DenyState {
  /** Until when Riposte's temporary deny (if present) applies. */
  deniedUntil?: string;
}

export interface RevokeState {
  /** Before which issue time Riposte's revocation (if present) denies credentials. */
  revokedBefore?: string;
}

export type UserTarget = { kind: "user"; name: string };

export const denyTemporarilyPlanner: ActionPlanner<UserTarget, DenyState> = {
  id: "iam-deny-temporarily",
  description: "Deny the user everything for a while, with a policy that expires by itself (aws:CurrentTime).",
  permissions: ["iam:GetUser", "iam:GetUserPolicy", "iam:PutUserPolicy", "iam:DeleteUserPolicy"],
  destructive: false,
  resolve(incident) {
    const principal = resolvePrincipal(incident.facts, incident.principal);
    if (!principal.ok) return principal;
    if (principal.target.kind !== "user") {
      return { ok: false, reason: `a temporary deny is for IAM users; ${principal.target.name} is a role` };
    }
    return { ok: true, target: { kind: "user", name: principal.target.name } };
  },
  label: (target) => `user ${target.name}`,
  describe: ({ target, config }) =>
    `Deny IAM user ${target.name} every action for ${config.remediation.denyPolicyMinutes} minutes with the inline policy ${TEMPORARY_DENY_POLICY}; it expires by itself (aws:CurrentTime) and is deleted afterwards.`,
  assume: () => ({}),
  plan({ target, state, config, now, incident }) {
    if (state.deniedUntil && Date.parse(state.deniedUntil) > now.getTime()) return [];
    const until = new Date(now.getTime() + config.remediation.denyPolicyMinutes * 60_000);
    return [
      awsCall(
        "iam",
        "PutUserPolicy",
        { UserName: target.name, PolicyName: TEMPORARY_DENY_POLICY, PolicyDocument: temporaryDenyDocument(until) },
        incident.region,
      ),
    ];
  },
};

export const revokeSessionsPlanner: ActionPlanner<IamPrincipal, RevokeState> = {
  id: "iam-revoke-sessions",
  description: "Deny the user's or role's credentials issued before now (aws:TokenIssueTime).",
  permissions: [
    "iam:GetUser",
    "iam:GetRole",
    "iam:GetUserPolicy",
    "iam:GetRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutRolePolicy",
  ],
  // Every current session of the role (legitimate ones too) stops working.
  destructive: true,
  resolve: (incident) => resolvePrincipal(incident.facts, incident.principal),
  label: (target) => `${target.kind} ${target.name}`,
  describe: ({ target }) =>
    `Revoke the active sessions of IAM ${target.kind} ${target.name}: the inline policy ${REVOKE_SESSIONS_POLICY} denies every action to credentials issued before now; new sign-ins are not affected.`,
  assume: () => ({}),
  plan({ target, state, now, incident }) {
    // Already revoked from a moment at or after the incident: nothing older survives.
    if (state.revokedBefore && Date.parse(state.revokedBefore) >= Date.parse(incident.time)) return [];
    const document = revokeSessionsDocument(now);
    const call =
      target.kind === "user"
        ? awsCall(
            "iam",
            "PutUserPolicy",
            { UserName: target.name, PolicyName: REVOKE_SESSIONS_POLICY, PolicyDocument: document },
            incident.region,
          )
        : awsCall(
            "iam",
            "PutRolePolicy",
            { RoleName: target.name, PolicyName: REVOKE_SESSIONS_POLICY, PolicyDocument: document },
            incident.region,
          );
    return [call];
  },
};
