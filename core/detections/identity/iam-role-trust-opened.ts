import type { PolicyStatement } from "../../risk/resource-policy.js";
import { declareDetection, loggedPolicy, type MatchContext, request, response } from "../declare.js";
import { identityFacts, isObject, type Json, principalOf, quote, str } from "../record.js";
import { actionMatches, strings } from "./iam-call.js";

/**
 * Reading a role's trust policy: which Allow statements let someone outside the account assume
 * the role. Decisions:
 * - The statement must allow an assume-role action: its Action (or what its NotAction leaves)
 *   matches sts:AssumeRole, sts:AssumeRoleWithSAML or sts:AssumeRoleWithWebIdentity, as `sts:*`,
 *   `sts:AssumeRole*` and `*` do.
 * - Everyone: Principal `*`, an AWS principal holding `*` (`{"AWS":"*"}`, `{"AWS":["*"]}`), or
 *   NotPrincipal — unless a condition pins aws:PrincipalOrgID, aws:PrincipalAccount or
 *   sts:ExternalId to fixed values (no `*`/`?`) with an operator that applies when the key is
 *   present; negated, …IfExists, Null and ForAllValues: operators pass when it is absent. A
 *   wildcard principal pinned by aws:PrincipalAccount to a foreign account opens the role to it.
 * - A foreign account: an AWS principal `arn:<partition>:iam::<account>:…` (or sts) or a bare
 *   12-digit id whose account is foreign (`MatchContext.isForeignAccount`), whatever the
 *   condition: an external id only tells which customer the other account acts for.
 * - Service and Federated principals, and principals of the event's or a trusted account, do not
 *   count.
 */

const ASSUME_ACTIONS = ["sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"];

/** Whether an Allow statement's actions include assuming the role. */
function allowsAssumeRole(statement: PolicyStatement): boolean {
  if (statement.Action !== undefined) {
    const patterns = strings(statement.Action);
    return ASSUME_ACTIONS.some((action) => patterns.some((pattern) => actionMatches(pattern, action)));
  }
  if (statement.NotAction !== undefined) {
    const excluded = strings(statement.NotAction);
    return ASSUME_ACTIONS.some((action) => !excluded.some((pattern) => actionMatches(pattern, action)));
  }
  return false;
}

const PINNING_KEYS = new Set(["aws:principalorgid", "aws:principalaccount", "sts:externalid"]);

function isFixedValue(value: unknown): boolean {
  const text = typeof value === "number" ? String(value) : value;
  return typeof text === "string" && text.trim() !== "" && !text.includes("*") && !text.includes("?");
}

/** The values one condition pins the caller's organisation, account or external id to (undefined: it pins nothing). */
function pinnedValues(operator: string, key: string, value: unknown): string[] | undefined {
  let op = operator.toLowerCase();
  if (op.startsWith("forallvalues:")) return undefined;
  if (op.startsWith("foranyvalue:")) op = op.slice("foranyvalue:".length);
  if (op.includes("not") || op.endsWith("ifexists") || op === "null") return undefined;
  if (!(op.startsWith("string") || op.startsWith("arn"))) return undefined;
  if (!PINNING_KEYS.has(key.toLowerCase())) return undefined;
  const values = Array.isArray(value) ? value : [value];
  return values.length > 0 && values.every(isFixedValue) ? values.map(String) : undefined;
}

/**
 * Whether the statement's conditions pin the caller, and the accounts aws:PrincipalAccount pins
 * it to (a foreign one there opens the role to that account as a principal would).
 */
function callerPins(statement: PolicyStatement): { pinned: boolean; accounts: string[] } {
  let pinned = false;
  const accounts: string[] = [];
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    for (const [key, value] of Object.entries(keys)) {
      const values = pinnedValues(operator, key, value);
      if (!values) continue;
      pinned = true;
      if (key.toLowerCase() === "aws:principalaccount") accounts.push(...values);
    }
  }
  return { pinned, accounts };
}

const ACCOUNT_IN_ARN = /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/;

/** The account an AWS principal names (an ARN or a bare id), or undefined. */
function accountOfPrincipal(principal: string): string | undefined {
  if (/^\d{12}$/.test(principal)) return principal;
  return ACCOUNT_IN_ARN.exec(principal)?.[1];
}

/** Who outside the account an Allow statement lets assume the role. */
function outsiders(statement: PolicyStatement, context: MatchContext): { everyone: boolean; accounts: string[] } {
  const aws = isObject(statement.Principal) ? strings(statement.Principal.AWS) : [];
  const wildcard =
    statement.NotPrincipal !== undefined || statement.Principal === "*" || aws.some((value) => value.includes("*"));
  const pins = wildcard ? callerPins(statement) : { pinned: false, accounts: [] };
  const accounts = [
    ...aws.map(accountOfPrincipal).filter((account): account is string => account !== undefined),
    ...pins.accounts,
  ].filter((account) => context.isForeignAccount(account));
  return { everyone: wildcard && !pins.pinned, accounts: [...new Set(accounts)] };
}

/** The statements of a trust policy that open the role to everyone or to a foreign account. */
export function openTrust(
  statements: readonly PolicyStatement[],
  context: MatchContext,
): { openStatements: PolicyStatement[]; everyone: boolean; foreignAccounts: string[] } {
  const openStatements: PolicyStatement[] = [];
  let everyone = false;
  const foreignAccounts = new Set<string>();
  for (const statement of statements) {
    if (statement.Effect !== "Allow" || !allowsAssumeRole(statement)) continue;
    const who = outsiders(statement, context);
    if (!who.everyone && who.accounts.length === 0) continue;
    openStatements.push(statement);
    everyone ||= who.everyone;
    for (const account of who.accounts) foreignAccounts.add(account);
  }
  return { openStatements, everyone, foreignAccounts: [...foreignAccounts] };
}

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
    "Add the account ids of your own organisation, partners and vendors you trust (cross-account tooling, CI in another account) to `trustedAccounts`: principals in those accounts, like those of the event's own account, do not count. Service and Federated (SAML, OIDC) principals never count. Notify only by default.",
  response: { mode: "notify" },
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
    const open = openTrust(reading.policy.Statement, context);
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
