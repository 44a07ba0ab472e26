import { parseCidr } from "../net/ip.js";

/**
 * Whether a resource policy (S3 bucket, and the same grammar for SNS, SQS, ECR, Secrets Manager,
 * KMS, Lambda) grants access to everyone. The one reading detection, remediation plans and
 * verification share; decisions and their references:
 * - Principal `"*"`, `{"AWS": "*"}` and `{"AWS": ["*"]}` are everyone (IAM JSON policy elements:
 *   Principal, "anonymous users"). IAM allows no partial wildcard in a principal, so a stored
 *   value holding `*` anywhere (`arn:aws:iam::*:root`) is read as everyone, never as one account.
 * - An Allow with `NotPrincipal` grants everyone but the named principals (IAM: NotPrincipal).
 * - A condition restricts only when it pins a fixed value of a key that names the caller's
 *   network, organisation, account or source — S3's "The meaning of public" (Block Public Access):
 *   aws:SourceIp short of /0 (IpAddress only), aws:SourceArn, aws:SourceVpc, aws:SourceVpce,
 *   aws:SourceOwner, aws:SourceAccount, s3:x-amz-server-side-encryption-aws-kms-key-id,
 *   aws:userid, s3:DataAccessPointArn/Account, plus the organisation and principal keys
 *   (aws:PrincipalOrgID/OrgPaths, aws:SourceOrgID/OrgPaths, aws:PrincipalAccount,
 *   aws:PrincipalArn, and KMS's kms:CallerAccount), which name fixed principals. aws:username
 *   is not one: the same user name exists in every account.
 * - "Fixed" means no `*` or `?` (S3: "a fixed value of aws:userid outside the pattern
 *   AROLEID:*"); org paths may end in a wildcard below a fixed `o-…` organisation.
 * - Negated operators, …IfExists, Null and ForAllValues: all pass when the key is absent (IAM:
 *   condition operators, multivalued context keys), so they pin nothing.
 * - A document that does not follow the grammar is reported unparsable, never guessed either way.
 */

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement[];
  [key: string]: unknown;
}

/** A policy read: the document, or what makes it unreadable. */
export type PolicyReading = { ok: true; policy: PolicyDocument } | { ok: false; problem: string };

/** Thrown by `isPublicPolicy` for a document it cannot read: the answer would be a guess. */
export class UnparsablePolicy extends Error {
  override name = "UnparsablePolicy";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStringOrStrings(value: unknown): boolean {
  return typeof value === "string" || (Array.isArray(value) && value.every((v) => typeof v === "string"));
}

function principalProblem(principal: unknown): string | undefined {
  if (principal === "*") return undefined;
  if (!isRecord(principal)) return 'is neither "*" nor an object';
  for (const [kind, value] of Object.entries(principal)) {
    if (!isStringOrStrings(value)) return `${kind} is not a string or a list of strings`;
  }
  return undefined;
}

function statementProblem(statement: unknown): string | undefined {
  if (!isRecord(statement)) return "is not an object";
  if (statement.Effect !== "Allow" && statement.Effect !== "Deny") return "has an Effect other than Allow or Deny";
  for (const element of ["Principal", "NotPrincipal"]) {
    if (statement[element] === undefined) continue;
    const problem = principalProblem(statement[element]);
    if (problem) return `${element} ${problem}`;
  }
  for (const element of ["Action", "NotAction", "Resource", "NotResource"]) {
    if (statement[element] !== undefined && !isStringOrStrings(statement[element])) {
      return `${element} is not a string or a list of strings`;
    }
  }
  const condition = statement.Condition;
  if (condition !== undefined && (!isRecord(condition) || !Object.values(condition).every(isRecord))) {
    return "Condition is not an object of operator blocks";
  }
  return undefined;
}

/** Read a policy given as JSON text or as an object; Statement may be one object or a list. */
export function readPolicy(input: unknown): PolicyReading {
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch (error) {
      return { ok: false, problem: `the policy is not JSON (${(error as Error).message})` };
    }
  }
  if (!isRecord(value)) return { ok: false, problem: "the policy is not a JSON object" };
  if (value.Statement === undefined) return { ok: false, problem: "the policy has no Statement" };
  const statements: unknown[] = Array.isArray(value.Statement) ? value.Statement : [value.Statement];
  for (const [index, statement] of statements.entries()) {
    const problem = statementProblem(statement);
    if (problem) return { ok: false, problem: `statement ${index + 1} ${problem}` };
  }
  return { ok: true, policy: { ...value, Statement: statements as PolicyStatement[] } };
}

/** The document, or undefined when the input is no readable policy. */
export function parsePolicy(input: unknown): PolicyDocument | undefined {
  const reading = readPolicy(input);
  return reading.ok ? reading.policy : undefined;
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function isWildcardPrincipal(principal: unknown): boolean {
  if (principal === "*") return true;
  if (!isRecord(principal)) return false;
  return Object.values(principal).some((value) => listOf(value).some((v) => typeof v === "string" && v.includes("*")));
}

const RESTRICTING_KEYS = new Set(
  [
    "aws:SourceArn",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:SourceOwner",
    "aws:SourceAccount",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:userid",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "s3:DataAccessPointArn",
    "s3:DataAccessPointAccount",
    // KMS key policies grant `{"AWS": "*"}` pinned to the calling account (AWS's own key policies do).
    "kms:CallerAccount",
  ].map((key) => key.toLowerCase()),
);

function isFixed(key: string, value: unknown): boolean {
  const text = typeof value === "number" ? String(value) : value;
  if (typeof text !== "string" || text.trim() === "") return false;
  if (key.endsWith("orgpaths")) {
    // `o-abc/r-ab12/ou-ab12-11111111/*`: a subtree of one fixed organisation.
    const [organisation = ""] = text.split("/");
    return /^o-[a-z0-9]+$/i.test(organisation);
  }
  return !text.includes("*") && !text.includes("?");
}

function isRangeShortOfEveryone(value: unknown): boolean {
  if (typeof value !== "string") return false;
  const cidr = parseCidr(value.includes("/") ? value : `${value}/${value.includes(":") ? 128 : 32}`);
  return cidr !== undefined && cidr.prefix > 0;
}

/** Whether one condition pins the request to something short of everyone. */
function restricts(operator: string, key: string, value: unknown): boolean {
  let op = operator.toLowerCase();
  if (op.startsWith("forallvalues:")) return false;
  if (op.startsWith("foranyvalue:")) op = op.slice("foranyvalue:".length);
  if (op.includes("not") || op.endsWith("ifexists") || op === "null") return false;
  const k = key.toLowerCase();
  const values = listOf(value);
  if (values.length === 0) return false;
  if (k === "aws:sourceip") return op === "ipaddress" && values.every(isRangeShortOfEveryone);
  if (!RESTRICTING_KEYS.has(k) || !(op.startsWith("string") || op.startsWith("arn"))) return false;
  return values.every((v) => isFixed(k, v));
}

/** Whether a statement (of a readable policy) grants anything to everyone. */
export function isPublicStatement(statement: PolicyStatement): boolean {
  if (statement.Effect !== "Allow") return false;
  if (statement.NotPrincipal === undefined && !isWildcardPrincipal(statement.Principal)) return false;
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    for (const [key, value] of Object.entries(keys)) if (restricts(operator, key, value)) return false;
  }
  return true;
}

/** The policy split into its public statements and the rest. */
export function splitPublicStatements(policy: PolicyDocument): { public: PolicyStatement[]; rest: PolicyStatement[] } {
  return {
    public: policy.Statement.filter(isPublicStatement),
    rest: policy.Statement.filter((statement) => !isPublicStatement(statement)),
  };
}

/** Whether a policy (JSON text or object) grants access to everyone; throws `UnparsablePolicy` when unreadable. */
export function isPublicPolicy(policyDocument: unknown): boolean {
  const reading = readPolicy(policyDocument);
  if (!reading.ok) throw new UnparsablePolicy(reading.problem);
  return reading.policy.Statement.some(isPublicStatement);
}
