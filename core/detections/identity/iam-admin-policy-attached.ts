import { grantsEverything } from "../../risk/identity-policy.js";
import { declareDetection, loggedPolicy, request } from "../declare.js";
import { identityFacts, type Json, principalOf, quote, str } from "../record.js";
import { iamTarget } from "./iam-call.js";

function entityOf(record: Json): { label: string; facts: Record<string, string> } {
  const target = iamTarget(record);
  if (!target) return { label: "an IAM identity", facts: {} };
  return {
    label: `${target.kind} ${quote(target.name || "(name not logged)", 64)}`,
    facts: target.name ? { [target.key]: target.name } : {},
  };
}

const resourceOf = (record: Json): string => {
  const target = iamTarget(record);
  return target?.name ? `${target.kind}/${target.name}` : principalOf(record);
};

export const iamAdminPolicyAttached = declareDetection({
  id: "iam-admin-policy-attached",
  title: "Administrator access granted to an IAM identity",
  category: "identity",
  severity: "high",
  attack: { id: "T1098.003", name: "Account Manipulation: Additional Cloud Roles" },
  asff: ["TTPs/Privilege Escalation", "TTPs/Persistence"],
  description:
    "A user, role or group got full administrator rights: the AWS managed AdministratorAccess policy (a policy ARN ending in `:policy/AdministratorAccess`) was attached to it, or an inline policy was put on it with an Allow statement for action `*` (or `*:*`) on resource `*`. An inline policy whose logged document cannot be read is reported as such.",
  why: "Granting administrator rights is the shortest path from a foothold to owning the account, and a second administrator identity is how attackers keep access after the first credential is revoked.",
  tuning:
    "Granting administrator rights on purpose (a new admin, a break-glass role) fires too: acknowledge it, or grant narrower policies. Managed policies with other names, `AdministratorAccess-Amplify` and the like, and NotAction statements are not checked. Answered with approval: nothing changes until a person approves the plan.",
  response: { mode: "approval", action: "iam-remove-admin-policy" },
  calls: [
    {
      source: "aws.iam",
      names: [
        "AttachUserPolicy",
        "AttachRolePolicy",
        "AttachGroupPolicy",
        "PutUserPolicy",
        "PutRolePolicy",
        "PutGroupPolicy",
      ],
    },
  ],
  match: (record) => {
    const eventName = str(record.eventName);
    const actor = quote(principalOf(record) || "an unknown principal");
    const entity = entityOf(record);
    const base = { ...identityFacts(record), eventName, ...entity.facts };
    if (eventName.startsWith("Attach")) {
      const policyArn = str(request(record, "policyArn"));
      if (!policyArn.endsWith(":policy/AdministratorAccess")) return undefined;
      return {
        resource: resourceOf(record),
        summary: `${actor} attached ${quote(policyArn, 100)} to ${entity.label}`,
        facts: { ...base, policyArn },
      };
    }
    const policyName = str(request(record, "policyName"));
    const reading = loggedPolicy(request(record, "policyDocument"));
    if (!reading) return undefined;
    const inline = `inline policy ${quote(policyName || "(name not logged)", 64)}`;
    if (!reading.ok) {
      return {
        resource: resourceOf(record),
        summary: `${actor} put ${inline} on ${entity.label}, and its logged document could not be read: ${quote(reading.problem, 120)}`,
        facts: { ...base, policyName, policyProblem: reading.problem },
      };
    }
    const adminStatements = reading.policy.Statement.filter(grantsEverything);
    if (adminStatements.length === 0) return undefined;
    return {
      resource: resourceOf(record),
      summary: `${actor} put ${inline} allowing every action on every resource on ${entity.label}`,
      facts: { ...base, policyName, adminStatements },
    };
  },
});
