import { isWorldOpen } from "../../net/ip.js";
import { at, isObject, type Json, list, str } from "../record.js";
import type { EventPattern } from "../types.js";

/**
 * What S3 calls in CloudTrail make public. A bucket policy statement is public when it allows a
 * wildcard principal (`"*"`, `{"AWS": "*"}`, or any `NotPrincipal`) without a condition that pins
 * the caller to something fixed (an IP range other than /0, a VPC or endpoint, an organization,
 * account or ARN) — the same notion of "public" as S3 Block Public Access. ACLs are public when
 * they grant the AllUsers or AuthenticatedUsers groups, or use a public canned ACL.
 */

const RESTRICTING_KEYS = new Set(
  [
    "aws:SourceIp",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:SourceOwner",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:userid",
    "aws:username",
    "s3:DataAccessPointAccount",
    "s3:DataAccessPointArn",
  ].map((key) => key.toLowerCase()),
);

const PUBLIC_GROUPS = [
  "http://acs.amazonaws.com/groups/global/AllUsers",
  "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
];
const PUBLIC_CANNED_ACLS = new Set(["public-read", "public-read-write", "authenticated-read"]);

/** The bucket policy a PutBucketPolicy request set, parsed (CloudTrail logs it as an object or text). */
export function requestedPolicy(record: Json): Json | undefined {
  const params = record.requestParameters;
  for (const candidate of [at(params, "bucketPolicy"), at(params, "policy")]) {
    for (const value of list(candidate)) {
      if (isObject(value) && "Statement" in value) return value;
      if (typeof value === "string" && value.trim().startsWith("{")) {
        try {
          const parsed = JSON.parse(value) as unknown;
          if (isObject(parsed)) return parsed;
        } catch {
          // Not a policy document; keep looking.
        }
      }
    }
  }
  return undefined;
}

/** The statements of a policy that make it public (empty when none). */
export function publicStatements(policy: Json): Json[] {
  return list(policy.Statement).filter(
    (statement): statement is Json => isObject(statement) && isPublicStatement(statement),
  );
}

function isPublicStatement(statement: Json): boolean {
  if (str(statement.Effect) !== "Allow") return false;
  const wildcard = "NotPrincipal" in statement || principalIsWildcard(statement.Principal);
  return wildcard && !hasRestrictingCondition(statement.Condition);
}

function principalIsWildcard(principal: unknown): boolean {
  if (principal === "*") return true;
  if (!isObject(principal)) return false;
  return ["AWS", "CanonicalUser"].some((kind) => list(principal[kind]).some((value) => value === "*"));
}

function hasRestrictingCondition(condition: unknown): boolean {
  if (!isObject(condition)) return false;
  for (const [operator, block] of Object.entries(condition)) {
    if (!isObject(block)) continue;
    // "IfExists" conditions do not hold the caller to anything when the key is absent.
    if (operator.endsWith("IfExists") || operator.startsWith("Null")) continue;
    for (const [key, value] of Object.entries(block)) {
      const name = key.toLowerCase();
      if (!RESTRICTING_KEYS.has(name)) continue;
      const values = list(value).map((item) => String(item));
      if (values.length === 0 || values.some((item) => item === "*" || item === "")) continue;
      if (name === "aws:sourceip") {
        // A NotIpAddress condition excludes addresses; it does not restrict to them.
        if (
          operator.startsWith("Not") ||
          values.some((cidr) => isWorldOpen(cidr.includes("/") ? cidr : `${cidr}/32`))
        ) {
          continue;
        }
      } else if (operator.startsWith("StringNot") || operator.startsWith("ArnNot")) {
        continue;
      }
      return true;
    }
  }
  return false;
}

/** Public grants of a PutBucketAcl/PutObjectAcl/PutObject/CreateBucket request, as text. */
export function publicGrants(record: Json): string[] {
  const params = record.requestParameters;
  const grants: string[] = [];
  for (const canned of list(at(params, "x-amz-acl"))) {
    if (typeof canned === "string" && PUBLIC_CANNED_ACLS.has(canned)) grants.push(`canned ACL ${canned}`);
  }
  const list_ = list(at(params, "AccessControlPolicy", "AccessControlList", "Grant"));
  for (const grant of list_) {
    const uri = str(at(grant, "Grantee", "URI"));
    if (PUBLIC_GROUPS.includes(uri)) grants.push(`${str(at(grant, "Permission")) || "access"} to ${groupName(uri)}`);
  }
  if (isObject(params)) {
    for (const [header, value] of Object.entries(params)) {
      if (!header.toLowerCase().startsWith("x-amz-grant-")) continue;
      for (const text of list(value)) {
        const matched = PUBLIC_GROUPS.find((uri) => String(text).includes(uri));
        if (matched) grants.push(`${header.slice("x-amz-grant-".length)} to ${groupName(matched)}`);
      }
    }
  }
  return grants;
}

/** The S3 headers that grant object (and bucket) permissions to a list of grantees. */
const GRANT_HEADERS = [
  "x-amz-grant-read",
  "x-amz-grant-read-acp",
  "x-amz-grant-write",
  "x-amz-grant-write-acp",
  "x-amz-grant-full-control",
];

/**
 * `requestParameters` conditions for a request that may set a public ACL (a superset of what
 * `publicGrants` reports): a public canned ACL, a grant header naming a public group (its value
 * is a grantee list such as `uri="http://acs…/AllUsers", id="…"`), or an ACL body granting one.
 * Object writes without such an ACL, almost all of them, then never leave EventBridge. CloudTrail
 * logs the header names in lower case, as the SDKs send them.
 */
export function publicAclRequest(): EventPattern {
  // The group's path only (a little wider than the URI; evaluation checks the URI): the rule's
  // pattern must stay under EventBridge's 2048 characters.
  const naming = PUBLIC_GROUPS.map((uri) => ({ wildcard: `*${new URL(uri).pathname}*` }));
  return {
    requestParameters: {
      $or: [
        { "x-amz-acl": [...PUBLIC_CANNED_ACLS] },
        ...GRANT_HEADERS.map((header) => ({ [header]: naming })),
        { AccessControlPolicy: { AccessControlList: { Grant: { Grantee: { URI: [...PUBLIC_GROUPS] } } } } },
      ],
    },
  };
}

function groupName(uri: string): string {
  return uri.endsWith("AllUsers") ? "AllUsers (everyone)" : "AuthenticatedUsers (any AWS account)";
}

/** CORS rules of a PutBucketCors request that allow any origin. */
export function permissiveCorsRules(record: Json): Json[] {
  const rules = list(at(record, "requestParameters", "CORSConfiguration", "CORSRule"));
  return rules.filter(
    (rule): rule is Json =>
      isObject(rule) && list(rule.AllowedOrigin).some((origin) => /^(https?:\/\/)?\*$/.test(String(origin).trim())),
  );
}

export function requestedCors(record: Json): unknown {
  return at(record, "requestParameters", "CORSConfiguration");
}

/** The settings a Put…PublicAccessBlock request turned off; undefined when it carries no configuration. */
export function disabledBlockSettings(record: Json): string[] | undefined {
  const config = at(record, "requestParameters", "PublicAccessBlockConfiguration");
  if (!isObject(config)) return undefined;
  const settings = ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"];
  return settings.filter((name) => config[name] === false || config[name] === "false");
}

export function bucketOf(record: Json): string {
  return str(at(record, "requestParameters", "bucketName"));
}
