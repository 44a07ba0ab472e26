import type { Resolution } from "../types.js";
import { ID_PATTERNS, notApplicable, ok } from "./facts.js";

/**
 * Who an IAM action acts on, from identity facts (CloudTrail `userIdentity`) or a GuardDuty
 * finding's access key details. The root user cannot carry policies and CloudTrail hides the
 * names of users that do not exist; both are refused with a reason.
 */

export type IamPrincipal = { kind: "user"; name: string } | { kind: "role"; name: string };

/** CloudTrail writes this instead of the user name of a failed sign-in to a user that does not exist. */
const HIDDEN_NAME = "HIDDEN_DUE_TO_SECURITY_REASONS";

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function lastPathSegment(arn: string, marker: string): string | undefined {
  const at = arn.indexOf(marker);
  if (at < 0) return undefined;
  return arn
    .slice(at + marker.length)
    .split("/")
    .filter(Boolean)
    .at(-1);
}

function roleFromSessionArn(arn: string): string | undefined {
  // arn:aws:sts::123456789012:assumed-role/RoleName/session-name
  const match = /:assumed-role\/([^/]+)\//.exec(arn);
  return match?.[1];
}

function named(kind: IamPrincipal["kind"], name: string | undefined): Resolution<IamPrincipal> {
  if (!name) return notApplicable(`the incident's facts name no IAM ${kind}`);
  if (name === HIDDEN_NAME) return notApplicable("CloudTrail hides the user name (no such user exists)");
  if (!ID_PATTERNS.iamName.test(name)) return notApplicable(`the ${kind} name in the facts is not a valid IAM name`);
  if (kind === "role" && name.startsWith("AWSServiceRoleFor")) {
    return notApplicable(`${name} is a service-linked role: its sessions cannot be revoked`);
  }
  return ok({ kind, name });
}

const TYPED_PRINCIPAL = /^(Root|IAMUser|AssumedRole|FederatedUser|AWSAccount|AWSService)\/(.+)$/;

/**
 * The principal's type: identity facts' `principalType` (CloudTrail), a GuardDuty `userType`,
 * or the `<userType>/<userName>` form GuardDuty findings give as the incident's principal.
 */
export function principalTypeOf(facts: Record<string, unknown>, principal = ""): string | undefined {
  return text(facts.principalType) ?? text(facts.userType) ?? TYPED_PRINCIPAL.exec(principal)?.[1];
}

/** The IAM user or role behind an incident's actor (`principal`: the incident's, as a fallback). */
export function resolvePrincipal(facts: Record<string, unknown>, principal = ""): Resolution<IamPrincipal> {
  const type = principalTypeOf(facts, principal);
  const arn = text(facts.principalArn) ?? "";
  const key = text(facts.accessKeyId);
  if (type === undefined && key?.startsWith("ASIA")) {
    return notApplicable(`cannot tell whether the temporary key ${key} belongs to a user or a role`);
  }
  if (type === "Root" || arn.endsWith(":root")) {
    return notApplicable(
      "the root user cannot carry IAM policies: secure it by hand (rotate its password, check its MFA)",
    );
  }
  if (type === "AssumedRole" || arn.includes(":assumed-role/")) {
    return named("role", text(facts.roleName) ?? roleFromSessionArn(arn) ?? (type ? text(facts.userName) : undefined));
  }
  if (type === "IAMUser" || arn.includes(":user/") || (type === undefined && text(facts.userName))) {
    return named("user", text(facts.userName) ?? lastPathSegment(arn, ":user/"));
  }
  return notApplicable(`IAM policies cannot be put on a ${type ?? "unknown"} principal`);
}

/** The ARN partition of a region (`aws`, `aws-cn`, `aws-us-gov`). */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** ARN of a user or role in an account (for protected-principal patterns). */
export function principalArn(principal: IamPrincipal, account: string, region = ""): string {
  return `arn:${partitionOf(region)}:iam::${account}:${principal.kind}/${principal.name}`;
}
