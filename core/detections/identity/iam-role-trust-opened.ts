import { openTrust } from "../../risk/role-trust.js";
import { declareDetection, loggedPolicy, request, response } from "../declare.js";
import { identityFacts, type Json, principalOf, quote, str } from "../record.js";

/** The trust policy the call set, as logged: the request's JSON text (CreateRole's response holds it URL-encoded). */
function trustPolicyOf(record: Json): unknown {
  const requested =
    record.eventName === "CreateRole" ? request(record, "assumeRolePolicyDocument") : request(record, "policyDocument");
  if (requested !== undefined && requested !== null && requested !== "") return requested;
  const encoded = response(record, "role", "assumeRolePolicyDocument");
  if (typeof encoded !== "string") return undefined;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

const asText = (policy: unknown): string => (typeof policy === "string" ? policy : JSON.stringify(policy));

export const iamRoleTrustOpened = declareDetection({
  id: "iam-role-trust-opened",
  title: "IAM role trust opened to outsiders",
  category: "identity",
  severity: "high",
  attack: { id: "T1098", name: "Account Manipulation" },
  asff: ["TTPs/Persistence"],
  description:
    'A role was created (CreateRole) or its trust policy replaced (UpdateAssumeRolePolicy) so that it allows sts:AssumeRole (or AssumeRoleWithSAML/WithWebIdentity, `sts:*`, `*`) to everyone — Principal `*` or `{"AWS":"*"}` without a condition pinning aws:PrincipalOrgID, aws:PrincipalAccount or sts:ExternalId — or to an AWS principal of a foreign account (an account pinned by aws:PrincipalAccount counts as one). A trust policy whose logged document cannot be read is reported as such.',
  why: "A role that another account, or anyone, can assume is a backdoor that survives password resets and key rotation: the outsider gets fresh credentials with the role's permissions whenever they want.",
  tuning:
    "Add the account ids of your own organisation, partners and vendors you trust (cross-account tooling, CI in another account) to `trustedAccounts`: principals in those accounts, like those of the event's own account, do not count. Service and Federated (SAML, OIDC) principals never count. Answered with approval: nothing changes until a person approves the plan.",
  response: { mode: "approval", action: "iam-restore-role-trust" },
  calls: [{ source: "aws.iam", names: ["CreateRole", "UpdateAssumeRolePolicy"] }],
  match: (record, context) => {
    const eventName = str(record.eventName);
    const roleName = str(request(record, "roleName"));
    const policy = trustPolicyOf(record);
    const reading = loggedPolicy(policy);
    if (!reading) return undefined;
    const actor = quote(principalOf(record) || "an unknown principal");
    const role = quote(roleName || "(name not logged)", 64);
    const verb = eventName === "CreateRole" ? "created role" : "changed the trust policy of role";
    const facts = {
      ...identityFacts(record),
      eventName,
      ...(roleName ? { targetRoleName: roleName } : {}),
      trustPolicy: asText(policy),
    };
    const resource = roleName ? `role/${roleName}` : principalOf(record);
    if (!reading.ok) {
      return {
        resource,
        summary: `${actor} ${verb} ${role}, and its logged trust policy could not be read: ${quote(reading.problem, 120)}`,
        facts: { ...facts, openStatements: [], policyProblem: reading.problem },
      };
    }
    const open = openTrust(reading.policy.Statement, context.isForeignAccount);
    if (open.openStatements.length === 0) return undefined;
    const who = [
      ...(open.everyone ? ["anyone"] : []),
      ...(open.foreignAccounts.length > 0
        ? [`account${open.foreignAccounts.length > 1 ? "s" : ""} ${quote(open.foreignAccounts.join(", "), 100)}`]
        : []),
    ].join(" and ");
    return {
      resource,
      summary: `${actor} ${verb} ${role} so that ${who} can assume it`,
      facts: {
        ...facts,
        openStatements: open.openStatements,
        public: open.everyone,
        foreignAccounts: open.foreignAccounts,
      },
    };
  },
});
