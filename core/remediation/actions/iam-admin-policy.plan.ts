import type { AwsCall } from "../../model/incident.js";
import { grantsEverything } from "../../risk/identity-policy.js";
import { readPolicy } from "../../risk/resource-policy.js";
import { awsCall } from "../aws/calls.js";
import type { ActionPlanner } from "../types.js";
import { ID_PATTERNS, notApplicable, ok } from "./facts.js";

/**
 * `iam-remove-admin-policy`: take back the administrator rights iam-admin-policy-attached saw
 * granted — Detach{User,Role,Group}Policy of the AdministratorAccess managed policy, or
 * Delete{User,Role,Group}Policy of the inline policy that allows every action on every resource
 * (judged by the risk model's `grantsEverything`, as the detection is). The inline document is
 * read before it is deleted and kept in the action's before-snapshot: putting it back undoes this.
 */

export type IamEntityKind = "user" | "role" | "group";

export interface AdminPolicyTarget {
  kind: IamEntityKind;
  name: string;
  /** The managed policy attached (AttachXPolicy), or… */
  policyArn?: string;
  /** …the inline policy put (PutXPolicy). */
  policyName?: string;
}

export interface AdminPolicyState {
  /** Managed: the policy is attached to the identity; inline: the identity has a policy of that name. */
  present: boolean;
  /** The inline policy's document as IAM returned it (decoded JSON): what Put…Policy restores. */
  document?: string;
}

const KIND_OF_EVENT = /^(?:Attach|Put)(User|Role|Group)Policy$/;
const NAME_FACT: Record<IamEntityKind, string> = {
  user: "targetUserName",
  role: "targetRoleName",
  group: "targetGroupName",
};
/** The only managed policy the detection fires on (no path: the ARN ends in `:policy/AdministratorAccess`). */
const ADMIN_POLICY_ARN = /^arn:aws(?:-cn|-us-gov)?:iam::(aws|\d{12}):policy\/AdministratorAccess$/;

const capitalized = (kind: IamEntityKind) => `${kind[0]?.toUpperCase()}${kind.slice(1)}` as "User" | "Role" | "Group";

/**
 * Whether the inline policy still grants everything: an unreadable document counts (the risk
 * model never guesses a policy safe), a missing one does not.
 */
export function inlineStillAdmin(state: AdminPolicyState): boolean {
  if (!state.present) return false;
  if (state.document === undefined) return true;
  const reading = readPolicy(state.document);
  return !reading.ok || reading.policy.Statement.some(grantsEverything);
}

/** Whether the grant is still in place: the managed policy attached, or the inline one granting everything. */
export function adminStillGranted(target: AdminPolicyTarget, state: AdminPolicyState): boolean {
  return target.policyArn !== undefined ? state.present : inlineStillAdmin(state);
}

export const removeAdminPolicyPlanner: ActionPlanner<AdminPolicyTarget, AdminPolicyState> = {
  id: "iam-remove-admin-policy",
  description:
    "Detach the AdministratorAccess managed policy from the user, role or group, or delete the inline policy that allows every action (its document is kept to put back).",
  permissions: [
    "iam:GetUser",
    "iam:GetRole",
    "iam:GetGroup",
    "iam:ListAttachedUserPolicies",
    "iam:ListAttachedRolePolicies",
    "iam:ListAttachedGroupPolicies",
    "iam:GetUserPolicy",
    "iam:GetRolePolicy",
    "iam:GetGroupPolicy",
    "iam:DetachUserPolicy",
    "iam:DetachRolePolicy",
    "iam:DetachGroupPolicy",
    "iam:DeleteUserPolicy",
    "iam:DeleteRolePolicy",
    "iam:DeleteGroupPolicy",
  ],
  // A legitimate administrator (a new admin, a break-glass role) loses its rights too.
  destructive: true,
  resolve(incident) {
    const { facts } = incident;
    const event = typeof facts.eventName === "string" ? KIND_OF_EVENT.exec(facts.eventName) : null;
    if (!event) return notApplicable("the incident's facts name no Attach/Put User, Role or Group Policy call");
    const kind = event[1]?.toLowerCase() as IamEntityKind;
    const name = facts[NAME_FACT[kind]];
    if (typeof name !== "string" || !ID_PATTERNS.iamName.test(name)) {
      return notApplicable(`the incident's facts name no valid IAM ${kind} (${NAME_FACT[kind]})`);
    }
    if (event[0].startsWith("Attach")) {
      const arn = typeof facts.policyArn === "string" ? ADMIN_POLICY_ARN.exec(facts.policyArn) : null;
      if (!arn) return notApplicable("the incident's facts name no AdministratorAccess policy ARN");
      if (arn[1] !== "aws" && arn[1] !== incident.account) {
        return notApplicable(`the policy ${facts.policyArn} belongs to another account: review it by hand`);
      }
      return ok({ kind, name, policyArn: facts.policyArn as string });
    }
    const policyName = facts.policyName;
    if (typeof policyName !== "string" || !ID_PATTERNS.iamName.test(policyName)) {
      return notApplicable("the incident's facts name no valid inline policy (policyName)");
    }
    return ok({ kind, name, policyName });
  },
  label: (target) =>
    target.policyArn !== undefined
      ? `${target.policyArn} attached to ${target.kind} ${target.name}`
      : `inline policy ${target.policyName} of ${target.kind} ${target.name}`,
  describe: ({ target }) => {
    const verb = capitalized(target.kind);
    return target.policyArn !== undefined
      ? `Detach ${target.policyArn} from IAM ${target.kind} ${target.name}: it loses administrator rights; Attach${verb}Policy undoes it.`
      : `Delete the inline policy ${target.policyName} (it allows every action on every resource) of IAM ${target.kind} ${target.name}; its document is read first and kept, Put${verb}Policy with it undoes this.`;
  },
  assume: () => ({ present: true }),
  plan({ target, state, incident }) {
    if (!adminStillGranted(target, state)) return [];
    return [removal(target, incident.region)];
  },
};

function removal(target: AdminPolicyTarget, region: string): AwsCall {
  const { kind, name, policyArn, policyName } = target;
  if (policyArn !== undefined) {
    if (kind === "user") return awsCall("iam", "DetachUserPolicy", { UserName: name, PolicyArn: policyArn }, region);
    if (kind === "role") return awsCall("iam", "DetachRolePolicy", { RoleName: name, PolicyArn: policyArn }, region);
    return awsCall("iam", "DetachGroupPolicy", { GroupName: name, PolicyArn: policyArn }, region);
  }
  const PolicyName = policyName as string;
  if (kind === "user") return awsCall("iam", "DeleteUserPolicy", { UserName: name, PolicyName }, region);
  if (kind === "role") return awsCall("iam", "DeleteRolePolicy", { RoleName: name, PolicyName }, region);
  return awsCall("iam", "DeleteGroupPolicy", { GroupName: name, PolicyName }, region);
}
