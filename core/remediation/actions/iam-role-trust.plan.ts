import type { AwsCall } from "../../model/incident.js";
import { foreignAccountTest } from "../../risk/foreign-accounts.js";
import type { PolicyStatement } from "../../risk/resource-policy.js";
import { readPolicy } from "../../risk/resource-policy.js";
import { openTrust } from "../../risk/role-trust.js";
import { REVOKE_SESSIONS_POLICY, revokeSessionsDocument } from "../analysis/iam-policy.js";
import { awsCall, liveValue } from "../aws/calls.js";
import { CannotPlan } from "../errors.js";
import type { ActionPlanner, PlanEnv } from "../types.js";
import { ID_PATTERNS, notApplicable, ok } from "./facts.js";

/**
 * `iam-restore-role-trust`: close the role iam-role-trust-opened saw opened. UpdateAssumeRolePolicy
 * with the role's trust policy minus exactly the statements the risk model's `openTrust` judges
 * open (to everyone, or to a foreign account not in `trustedAccounts`) — the same reading the
 * detection fired on — keeping every other statement and key; then the role's existing sessions
 * are revoked as `iam-revoke-sessions` does (an inline deny on aws:TokenIssueTime before now), since
 * whoever assumed the role meanwhile still holds credentials. The trust policy read before the
 * change is kept in the before-snapshot: UpdateAssumeRolePolicy with it undoes the first step.
 */

/**
 * How long after the trust change sessions are still revoked: IAM applies a policy change within
 * seconds to minutes, and an outsider assuming the role in that window must not keep the session.
 */
export const TRUST_PROPAGATION_MS = 5 * 60_000;

export interface RoleTrustTarget {
  roleName: string;
}

export interface RoleTrustState {
  /** The role's trust policy (decoded JSON), as read; unknown in a static plan without facts. */
  trustPolicy?: string;
  /** Before which issue time Riposte's session revocation (if present) denies credentials. */
  revokedBefore?: string;
}

/** The statements of a readable trust policy that open the role, and the rest. */
export function splitTrust(
  trustPolicy: string,
  env: Pick<PlanEnv, "config" | "incident">,
): { document: Record<string, unknown>; open: PolicyStatement[]; rest: PolicyStatement[] } | { problem: string } {
  const reading = readPolicy(trustPolicy);
  if (!reading.ok) return { problem: reading.problem };
  const foreign = foreignAccountTest(env.incident.account, env.config.trustedAccounts);
  const open = openTrust(reading.policy.Statement, foreign).openStatements;
  const rest = reading.policy.Statement.filter((statement) => !open.includes(statement));
  return { document: reading.policy, open, rest };
}

/** Whether the revocation in place covers every session issued up to the incident. */
export function sessionsRevoked(state: RoleTrustState, incidentTime: string): boolean {
  return state.revokedBefore !== undefined && Date.parse(state.revokedBefore) >= Date.parse(incidentTime);
}

export const restoreRoleTrustPlanner: ActionPlanner<RoleTrustTarget, RoleTrustState> = {
  id: "iam-restore-role-trust",
  description:
    "Remove the statements that open the role's trust policy to outsiders (UpdateAssumeRolePolicy, the rest kept), then revoke the role's existing sessions (aws:TokenIssueTime).",
  permissions: ["iam:GetRole", "iam:GetRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy"],
  // The outsiders lose the role, and every current session of it (legitimate ones too) stops working.
  destructive: true,
  resolve(incident) {
    const name = incident.facts.targetRoleName;
    if (typeof name !== "string" || !ID_PATTERNS.iamName.test(name)) {
      return notApplicable("the incident's facts name no valid IAM role (targetRoleName)");
    }
    if (name.startsWith("AWSServiceRoleFor")) {
      return notApplicable(`${name} is a service-linked role: AWS manages its trust policy`);
    }
    return ok({ roleName: name });
  },
  label: (target) => `trust policy of role ${target.roleName}`,
  describe: ({ target }) =>
    `Remove from the trust policy of IAM role ${target.roleName} the statements that let everyone or a foreign account assume it (the others are kept; the current policy is kept to put back with UpdateAssumeRolePolicy), then revoke the role's sessions with the inline policy ${REVOKE_SESSIONS_POLICY} (credentials issued until five minutes from now, while IAM applies the change, are denied; deleting that policy undoes it).`,
  assume: ({ incident }) =>
    typeof incident.facts.trustPolicy === "string" ? { trustPolicy: incident.facts.trustPolicy } : {},
  plan({ target, state, config, incident, now }) {
    const calls: AwsCall[] = [];
    const region = incident.region;
    if (state.trustPolicy === undefined) {
      calls.push(
        awsCall(
          "iam",
          "UpdateAssumeRolePolicy",
          {
            RoleName: target.roleName,
            PolicyDocument: liveValue("GetRole.Role.AssumeRolePolicyDocument without its open statements"),
          },
          region,
        ),
      );
    } else {
      const trust = splitTrust(state.trustPolicy, { config, incident });
      if ("problem" in trust) {
        throw new CannotPlan(
          `the trust policy of role ${target.roleName} cannot be read (${trust.problem}): review it by hand`,
        );
      }
      if (trust.open.length > 0) {
        if (trust.rest.length === 0) {
          throw new CannotPlan(
            `every statement of the trust policy of role ${target.roleName} opens it to outsiders: removing them would leave no trust policy, which a role must have; edit or delete the role by hand`,
          );
        }
        const PolicyDocument = JSON.stringify({ ...trust.document, Statement: trust.rest });
        calls.push(awsCall("iam", "UpdateAssumeRolePolicy", { RoleName: target.roleName, PolicyDocument }, region));
      }
    }
    if (!sessionsRevoked(state, incident.time)) {
      calls.push(
        awsCall(
          "iam",
          "PutRolePolicy",
          {
            RoleName: target.roleName,
            PolicyName: REVOKE_SESSIONS_POLICY,
            PolicyDocument: revokeSessionsDocument(new Date(now.getTime() + TRUST_PROPAGATION_MS)),
          },
          region,
        ),
      );
    }
    return calls;
  },
};
