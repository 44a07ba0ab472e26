import { decodePolicyDocument } from "../analysis/iam-policy.js";
import { CannotPlan } from "../errors.js";
import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import {
  type AdminPolicyState,
  type AdminPolicyTarget,
  adminStillGranted,
  removeAdminPolicyPlanner,
} from "./iam-admin-policy.plan.js";
import { check, goneOr, sendAll, tagMap, unlessAbsent } from "./live.js";

/**
 * `iam-remove-admin-policy`, live: the identity (its tags and ARN for the guardrails: protected
 * principals and tags, Riposte's own role), then the attached managed policies or the inline
 * policy's document. A deleted identity is gone; a policy already detached or deleted is done.
 */

const NO_ENTITY = ["NoSuchEntity", "NoSuchEntityException"];

interface Identity {
  arn?: string;
  tags: Record<string, string>;
}

async function readIdentity(ctx: LiveContext<AdminPolicyTarget>): Promise<Identity> {
  const { kind, name } = ctx.target;
  if (kind === "user") {
    const { User } = await ctx.aws.send("iam", "GetUser", { UserName: name });
    return { arn: User?.Arn, tags: tagMap(User?.Tags) };
  }
  if (kind === "role") {
    const { Role } = await ctx.aws.send("iam", "GetRole", { RoleName: name });
    if (Role?.Path?.startsWith("/aws-service-role/")) {
      throw new CannotPlan(`${name} is a service-linked role: AWS manages its policies`);
    }
    return { arn: Role?.Arn, tags: tagMap(Role?.Tags) };
  }
  // Groups carry no tags; their ARN still answers to protected-principal patterns.
  const { Group } = await ctx.aws.send("iam", "GetGroup", { GroupName: name, MaxItems: 1 });
  return { arn: Group?.Arn, tags: {} };
}

/** The ARNs of the managed policies attached to the identity (every page). */
async function attachedPolicies(ctx: LiveContext<AdminPolicyTarget>): Promise<string[]> {
  const { kind, name } = ctx.target;
  const arns: string[] = [];
  let marker: string | undefined;
  do {
    const page = { ...(marker ? { Marker: marker } : {}) };
    const answer =
      kind === "user"
        ? await ctx.aws.send("iam", "ListAttachedUserPolicies", { UserName: name, ...page })
        : kind === "role"
          ? await ctx.aws.send("iam", "ListAttachedRolePolicies", { RoleName: name, ...page })
          : await ctx.aws.send("iam", "ListAttachedGroupPolicies", { GroupName: name, ...page });
    for (const policy of answer.AttachedPolicies ?? []) if (policy.PolicyArn) arns.push(policy.PolicyArn);
    marker = answer.IsTruncated ? answer.Marker : undefined;
  } while (marker);
  return arns;
}

/** The inline policy's document (decoded), or undefined when the identity has no policy of that name. */
async function inlineDocument(ctx: LiveContext<AdminPolicyTarget>, policyName: string): Promise<string | undefined> {
  const { kind, name } = ctx.target;
  const read = (): Promise<{ PolicyDocument?: string }> =>
    kind === "user"
      ? ctx.aws.send("iam", "GetUserPolicy", { UserName: name, PolicyName: policyName })
      : kind === "role"
        ? ctx.aws.send("iam", "GetRolePolicy", { RoleName: name, PolicyName: policyName })
        : ctx.aws.send("iam", "GetGroupPolicy", { GroupName: name, PolicyName: policyName });
  const answer = await unlessAbsent(read, NO_ENTITY, undefined);
  return answer ? (decodePolicyDocument(answer.PolicyDocument) ?? "") : undefined;
}

async function snapshot(ctx: LiveContext<AdminPolicyTarget>): Promise<Snapshot<AdminPolicyState>> {
  const { kind, name, policyArn, policyName } = ctx.target;
  return goneOr(NO_ENTITY, `${kind} ${name} no longer exists`, async () => {
    const identity = await readIdentity(ctx);
    let state: AdminPolicyState;
    if (policyArn !== undefined) {
      state = { present: (await attachedPolicies(ctx)).includes(policyArn) };
    } else {
      const document = await inlineDocument(ctx, policyName as string);
      state = document === undefined ? { present: false } : { present: true, document };
    }
    return { state, tags: [identity.tags], principals: identity.arn ? [identity.arn] : [] };
  });
}

export const removeAdminPolicy: RemediationAction<AdminPolicyTarget, AdminPolicyState> = {
  ...removeAdminPolicyPlanner,
  // Detaching a policy no longer attached (or deleting one already deleted) answers NoSuchEntity,
  // as a deleted identity does: read again, and the snapshot tells "done" from "gone".
  errors: { alreadyDone: NO_ENTITY },
  snapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await snapshot(ctx);
    if ("gone" in read) return [check("target gone", true, read.gone)];
    const { target } = ctx;
    const granted = adminStillGranted(target, read.state);
    if (target.policyArn !== undefined) {
      return [
        check(
          `${target.policyArn} not attached to ${target.kind} ${target.name}`,
          !granted,
          granted ? "still attached" : "not attached",
        ),
      ];
    }
    const detail = !read.state.present
      ? "no inline policy of that name"
      : granted
        ? "still allows every action on every resource"
        : "present, no longer allows every action on every resource";
    return [
      check(`inline policy ${target.policyName} of ${target.kind} ${target.name} grants no admin`, !granted, detail),
    ];
  },
};
