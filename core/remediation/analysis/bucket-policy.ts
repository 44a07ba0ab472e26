import { parseCidr } from "../../net/ip.js";

/**
 * Which statements of an S3 bucket policy make the bucket public, after S3's own definition
 * ("The meaning of public"): an Allow to every principal (or NotPrincipal) is public unless a
 * condition pins a fixed, non-negated value of a restricting key (source IP ranges short of /0,
 * VPC, endpoint, account, organisation, ARN…).
 */

export interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement[];
  [key: string]: unknown;
}

/** Parse policy JSON; undefined when it is not a policy document. */
export function parsePolicy(text: string | undefined): PolicyDocument | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  if (record.Statement === undefined) return undefined;
  const statements: unknown[] = Array.isArray(record.Statement) ? record.Statement : [record.Statement];
  if (!statements.every((s) => typeof s === "object" && s !== null && !Array.isArray(s))) return undefined;
  return { ...record, Statement: statements as PolicyStatement[] };
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
  ].map((key) => key.toLowerCase()),
);

function values(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function isWildcardPrincipal(principal: unknown): boolean {
  if (principal === "*") return true;
  if (typeof principal !== "object" || principal === null) return false;
  return Object.values(principal).some((value) => values(value).some((v) => typeof v === "string" && v.includes("*")));
}

/** Whether one condition pins the request to something short of everyone. */
function restricts(operator: string, key: string, value: unknown): boolean {
  const op = operator.toLowerCase();
  // Negated operators and …IfExists pass when the key is absent: they pin nothing.
  if (op.includes("not") || op.endsWith("ifexists")) return false;
  const k = key.toLowerCase();
  const list = values(value);
  if (list.length === 0) return false;
  if (k === "aws:sourceip") {
    return (
      op.includes("ipaddress") &&
      list.every(
        (v) =>
          typeof v === "string" &&
          (parseCidr(v.includes("/") ? v : `${v}/${v.includes(":") ? 128 : 32}`)?.prefix ?? 0) > 0,
      )
    );
  }
  if (!RESTRICTING_KEYS.has(k)) return false;
  return list.every((v) => typeof v === "string" && v !== "" && !v.includes("*") && !v.includes("?"));
}

/** Whether a statement grants anything to everyone. */
export function isPublicStatement(statement: PolicyStatement): boolean {
  if (statement.Effect !== "Allow") return false;
  if (statement.NotPrincipal === undefined && !isWildcardPrincipal(statement.Principal)) return false;
  const conditions = statement.Condition ?? {};
  for (const [operator, keys] of Object.entries(conditions)) {
    if (typeof keys !== "object" || keys === null) continue;
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

/** Whether policy text (if any) grants public access. Unparseable text counts as not known public. */
export function isPublicPolicy(text: string | undefined): boolean {
  const policy = parsePolicy(text);
  return policy?.Statement.some(isPublicStatement) === true;
}
