import { decodePolicyDocument, REVOKE_SESSIONS_POLICY, revokedBefore } from "../analysis/iam-policy.js";
import { CannotPlan } from "../errors.js";
import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import {
  type RoleTrustState,
  type RoleTrustTarget,
  restoreRoleTrustPlanner,
  sessionsRevoked,
  splitTrust,
} from "./iam-role-trust.plan.js";
import { check, goneOr, sendAll, tagMap, unlessAbsent } from "./live.js";

/**
 * `iam-restore-role-trust`, live: GetRole (trust policy, tags and ARN for the guardrails) and
 * Riposte's session revocation policy, if any. A deleted role is gone. Verification judges the
 * trust policy read back with the same risk model, and checks the revocation covers the incident.
 */

const NO_ENTITY = ["NoSuchEntity", "NoSuchEntityException"];

async function snapshot(ctx: LiveContext<RoleTrustTarget>): Promise<Snapshot<RoleTrustState>> {
  const { roleName } = ctx.target;
  return goneOr(NO_ENTITY, `role ${roleName} no longer exists`, async () => {
    const { Role } = await ctx.aws.send("iam", "GetRole", { RoleName: roleName });
    if (Role?.Path?.startsWith("/aws-service-role/")) {
      throw new CannotPlan(`${roleName} is a service-linked role: AWS manages its trust policy`);
    }
    const revocation = await unlessAbsent(
      () => ctx.aws.send("iam", "GetRolePolicy", { RoleName: roleName, PolicyName: REVOKE_SESSIONS_POLICY }),
      NO_ENTITY,
      undefined,
    );
    const trustPolicy = decodePolicyDocument(Role?.AssumeRolePolicyDocument);
    const before = revokedBefore(revocation?.PolicyDocument);
    return {
      state: { ...(trustPolicy !== undefined ? { trustPolicy } : {}), ...(before ? { revokedBefore: before } : {}) },
      tags: [tagMap(Role?.Tags)],
      principals: Role?.Arn ? [Role.Arn] : [],
    };
  });
}

export const restoreRoleTrust: RemediationAction<RoleTrustTarget, RoleTrustState> = {
  ...restoreRoleTrustPlanner,
  errors: { gone: NO_ENTITY },
  snapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await snapshot(ctx);
    if ("gone" in read) return [check("target gone", true, read.gone)];
    const trust =
      read.state.trustPolicy === undefined
        ? { problem: "GetRole returned no trust policy" }
        : splitTrust(read.state.trustPolicy, ctx);
    const closed = !("problem" in trust) && trust.open.length === 0;
    const revoked = sessionsRevoked(read.state, ctx.incident.time);
    return [
      check(
        "no trust statement opens the role to outsiders",
        closed,
        "problem" in trust
          ? `the trust policy cannot be read: ${trust.problem}`
          : `${trust.open.length} opening statement(s) of ${trust.open.length + trust.rest.length}`,
      ),
      check(
        `sessions issued before the incident revoked (${REVOKE_SESSIONS_POLICY})`,
        revoked,
        read.state.revokedBefore
          ? `denies credentials issued before ${read.state.revokedBefore}`
          : "no revocation policy found",
      ),
    ];
  },
};
