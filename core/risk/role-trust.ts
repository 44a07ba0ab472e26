import { actionMatches, strings } from "./identity-policy.js";
import type { PolicyStatement } from "./resource-policy.js";

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
 *   12-digit id whose account is foreign (`foreignAccountTest`: neither the role's account nor a
 *   trusted one), whatever the
 *   condition: an external id only tells which customer the other account acts for.
 * - Service and Federated principals, and principals of the event's or a trusted account, do not
 *   count.
 * The iam-role-trust-opened detection fires on this reading of the logged policy; the
 * iam-restore-role-trust action removes, and verifies the absence of, the statements it names in
 * the live one.
 */

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

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
function outsiders(
  statement: PolicyStatement,
  isForeignAccount: (account: string) => boolean,
): { everyone: boolean; accounts: string[] } {
  const aws = isRecord(statement.Principal) ? strings(statement.Principal.AWS) : [];
  const wildcard =
    statement.NotPrincipal !== undefined || statement.Principal === "*" || aws.some((value) => value.includes("*"));
  const pins = wildcard ? callerPins(statement) : { pinned: false, accounts: [] };
  const accounts = [
    ...aws.map(accountOfPrincipal).filter((account): account is string => account !== undefined),
    ...pins.accounts,
  ].filter((account) => isForeignAccount(account));
  return { everyone: wildcard && !pins.pinned, accounts: [...new Set(accounts)] };
}

/** The statements of a trust policy that open the role to everyone or to a foreign account. */
export function openTrust(
  statements: readonly PolicyStatement[],
  isForeignAccount: (account: string) => boolean,
): { openStatements: PolicyStatement[]; everyone: boolean; foreignAccounts: string[] } {
  const openStatements: PolicyStatement[] = [];
  let everyone = false;
  const foreignAccounts = new Set<string>();
  for (const statement of statements) {
    if (statement.Effect !== "Allow" || !allowsAssumeRole(statement)) continue;
    const who = outsiders(statement, isForeignAccount);
    if (!who.everyone && who.accounts.length === 0) continue;
    openStatements.push(statement);
    everyone ||= who.everyone;
    for (const account of who.accounts) foreignAccounts.add(account);
  }
  return { openStatements, everyone, foreignAccounts: [...foreignAccounts] };
}
