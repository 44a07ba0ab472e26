import { deniedUntil, REVOKE_SESSIONS_POLICY, revokedBefore, TEMPORARY_DENY_POLICY } from "../analysis/iam-policy.js";
import { CannotPlan } from "../errors.js";
import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import {
  type DenyState,
  denyTemporarilyPlanner,
  type RevokeState,
  revokeSessionsPlanner,
  type UserTarget,
} from "./iam-policies.plan.js";
import type { IamPrincipal } from "./iam-principal.js";
import { check, goneOr, sendAll, tagMap, unlessAbsent } from "./live.js";

/**
 * The inline deny policies, live. IAM stores policies but the emulator does not evaluate them,
 * and real IAM takes a moment to apply them; verification therefore reads the policy back and
 * checks its statement and date, which is what IAM enforces.
 */

const NO_ENTITY = ["NoSuchEntity", "NoSuchEntityException"];

/** The principal's tags, and its inline policy document (if present). */
async function readPrincipal(
  ctx: LiveContext<IamPrincipal>,
  policyName: string,
): Promise<{ tags: Record<string, string>; arn?: string; document?: string }> {
  const { kind, name } = ctx.target;
  if (kind === "user") {
    const user = await ctx.aws.send("iam", "GetUser", { UserName: name });
    const policy = await unlessAbsent(
      () => ctx.aws.send("iam", "GetUserPolicy", { UserName: name, PolicyName: policyName }),
      NO_ENTITY,
      undefined,
    );
    return { tags: tagMap(user.User?.Tags), arn: user.User?.Arn, document: policy?.PolicyDocument };
  }
  const role = await ctx.aws.send("iam", "GetRole", { RoleName: name });
  if (role.Role?.Path?.startsWith("/aws-service-role/")) {
    throw new CannotPlan(`${name} is a service-linked role: its sessions cannot be revoked`);
  }
  const policy = await unlessAbsent(
    () => ctx.aws.send("iam", "GetRolePolicy", { RoleName: name, PolicyName: policyName }),
    NO_ENTITY,
    undefined,
  );
  return { tags: tagMap(role.Role?.Tags), arn: role.Role?.Arn, document: policy?.PolicyDocument };
}

const arns = (arn: string | undefined): string[] => (arn ? [arn] : []);

async function denySnapshot(ctx: LiveContext<UserTarget>): Promise<Snapshot<DenyState>> {
  return goneOr(NO_ENTITY, `user ${ctx.target.name} no longer exists`, async () => {
    const read = await readPrincipal(ctx, TEMPORARY_DENY_POLICY);
    const until = deniedUntil(read.document);
    return { state: until ? { deniedUntil: until } : {}, tags: [read.tags], principals: arns(read.arn) };
  });
}

async function revokeSnapshot(ctx: LiveContext<IamPrincipal>): Promise<Snapshot<RevokeState>> {
  return goneOr(NO_ENTITY, `${ctx.target.kind} ${ctx.target.name} no longer exists`, async () => {
    const read = await readPrincipal(ctx, REVOKE_SESSIONS_POLICY);
    const before = revokedBefore(read.document);
    return { state: before ? { revokedBefore: before } : {}, tags: [read.tags], principals: arns(read.arn) };
  });
}

export const denyTemporarily: RemediationAction<UserTarget, DenyState> = {
  ...denyTemporarilyPlanner,
  errors: { gone: NO_ENTITY },
  snapshot: denySnapshot,
  apply: sendAll,
  expiry(target, calls) {
    const document = calls.find((call) => call.operation === "PutUserPolicy")?.params.PolicyDocument;
    const until = deniedUntil(typeof document === "string" ? document : undefined);
    return until ? { at: until, detail: { userName: target.name } } : undefined;
  },
  async verify(ctx) {
    const read = await denySnapshot(ctx);
    if ("gone" in read) return [check("target gone", true, read.gone)];
    const until = read.state.deniedUntil;
    const inForce = until !== undefined && Date.parse(until) > ctx.now.getTime();
    return [
      check(
        `temporary deny ${TEMPORARY_DENY_POLICY} in force`,
        inForce,
        until ? `denies everything until ${until}` : "no temporary deny policy on the user",
      ),
    ];
  },
};

export const revokeSessions: RemediationAction<IamPrincipal, RevokeState> = {
  ...revokeSessionsPlanner,
  errors: { gone: NO_ENTITY },
  snapshot: revokeSnapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await revokeSnapshot(ctx);
    if ("gone" in read) return [check("target gone", true, read.gone)];
    const before = read.state.revokedBefore;
    const covers = before !== undefined && Date.parse(before) >= Date.parse(ctx.incident.time);
    return [
      check(
        `sessions issued before the incident revoked (${REVOKE_SESSIONS_POLICY})`,
        covers,
        before ? `denies credentials issued before ${before}` : "no revocation policy found",
      ),
    ];
  },
};
