import type { Enrichment, PRINCIPAL_TYPES } from "../model/incident.js";
import type { WorkingIncident } from "../model/tasks.js";

export type PrincipalType = (typeof PRINCIPAL_TYPES)[number];
export type PrincipalIdentity = Pick<NonNullable<Enrichment["principal"]>, "type" | "arn" | "account" | "name" | "mfa">;

/** CloudTrail `userIdentity.type` → our principal type. */
const CLOUDTRAIL_TYPES: Record<string, PrincipalType> = {
  root: "root",
  iamuser: "iam-user",
  assumedrole: "assumed-role",
  role: "assumed-role",
  federateduser: "federated",
  samluser: "federated",
  webidentityuser: "federated",
  identitycenteruser: "federated",
  awsservice: "aws-service",
};

const ARN = /^arn:aws(?:-[a-z-]+)?:(iam|sts)::(\d{12}):(.+)$/;

/** Type, account and name from a principal ARN (or a service principal such as `ec2.amazonaws.com`). */
export function parsePrincipalArn(text: string): Omit<PrincipalIdentity, "mfa"> {
  if (/^[a-z0-9.-]+\.amazonaws\.com$/i.test(text)) return { type: "aws-service", name: text };
  const match = ARN.exec(text);
  if (!match) return { type: "unknown", ...(text ? { name: text } : {}) };
  const [, , account, resource = ""] = match;
  const [kind = "", ...rest] = resource.split("/");
  const last = rest.at(-1);
  switch (kind) {
    case "root":
      return { type: "root", arn: text, account, name: "root" };
    case "user":
      return { type: "iam-user", arn: text, account, name: last };
    case "assumed-role":
      // assumed-role/<role>/<session>: the role is what policies attach to.
      return { type: "assumed-role", arn: text, account, name: rest[0] };
    case "role":
      return { type: "assumed-role", arn: text, account, name: last };
    case "federated-user":
      return { type: "federated", arn: text, account, name: last };
    default:
      return { type: "unknown", arn: text, account };
  }
}

/** Whether MFA was used, from the lenient forms detections record (`true`, `"Yes"`, `"true"`). */
function mfaFrom(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value === "string") {
    const lower = value.toLowerCase();
    if (lower === "yes" || lower === "true") return true;
    if (lower === "no" || lower === "false") return false;
  }
  return undefined;
}

/** Who acted: from the finding's principal and its identity facts (type, MFA, names). */
export function describePrincipal(incident: WorkingIncident): PrincipalIdentity {
  const facts = incident.facts;
  const fromArn = parsePrincipalArn(typeof facts.principalArn === "string" ? facts.principalArn : incident.principal);
  const factType =
    typeof facts.principalType === "string" ? CLOUDTRAIL_TYPES[facts.principalType.toLowerCase()] : undefined;
  const type = factType ?? fromArn.type;
  const name =
    (type === "assumed-role" && typeof facts.roleName === "string" ? facts.roleName : undefined) ??
    (typeof facts.userName === "string" && type !== "assumed-role" ? facts.userName : undefined) ??
    fromArn.name;
  const mfa = mfaFrom(facts.mfaUsed ?? facts.mfaAuthenticated);
  return {
    type,
    ...(fromArn.arn ? { arn: fromArn.arn } : {}),
    account: fromArn.account ?? (incident.account || undefined),
    ...(name ? { name } : {}),
    ...(mfa !== undefined ? { mfa } : {}),
  };
}
