import {
  isPublicCannedAcl,
  PUBLIC_CANNED_ACLS,
  PUBLIC_GROUP_URIS,
  publicGroupInText,
  publicGroupName,
  publicGroupUri,
} from "../../risk/acl.js";
import { allowsAnyOrigin, rawCorsRules } from "../../risk/cors.js";
import { isPublicStatement, readPolicy } from "../../risk/resource-policy.js";
import { at, isObject, type Json, list, str } from "../record.js";
import type { EventPattern } from "../types.js";

/**
 * What S3 calls in CloudTrail set, read from their request parameters. Whether that is public is
 * `core/risk`'s judgement, the same one remediation and verification use.
 */

/**
 * The bucket policy a PutBucketPolicy request set (CloudTrail logs it as an object or text), when
 * it is a readable policy; one that is not is never guessed public.
 */
export function requestedPolicy(record: Json): Json | undefined {
  const params = record.requestParameters;
  for (const candidate of [at(params, "bucketPolicy"), at(params, "policy")]) {
    for (const value of list(candidate)) {
      const reading = readPolicy(value);
      if (reading.ok) return reading.policy as Json;
    }
  }
  return undefined;
}

/** The statements of a policy that make it public (empty when none, or when it is unreadable). */
export function publicStatements(policy: Json): Json[] {
  const reading = readPolicy(policy);
  return reading.ok ? (reading.policy.Statement.filter(isPublicStatement) as Json[]) : [];
}

/** Public grants of a PutBucketAcl/PutObjectAcl/PutObject/CreateBucket request, as text. */
export function publicGrants(record: Json): string[] {
  const params = record.requestParameters;
  const grants: string[] = [];
  for (const canned of list(at(params, "x-amz-acl"))) {
    if (isPublicCannedAcl(canned)) grants.push(`canned ACL ${String(canned).trim()}`);
  }
  const list_ = list(at(params, "AccessControlPolicy", "AccessControlList", "Grant"));
  for (const grant of list_) {
    const group = publicGroupUri(str(at(grant, "Grantee", "URI")));
    if (group) grants.push(`${str(at(grant, "Permission")) || "access"} to ${publicGroupName(group)}`);
  }
  if (isObject(params)) {
    for (const [header, value] of Object.entries(params)) {
      if (!header.toLowerCase().startsWith("x-amz-grant-")) continue;
      for (const text of list(value)) {
        const matched = publicGroupInText(String(text));
        if (matched) grants.push(`${header.slice("x-amz-grant-".length)} to ${publicGroupName(matched)}`);
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
  const naming = PUBLIC_GROUP_URIS.map((uri) => ({ wildcard: `*${new URL(uri).pathname}*` }));
  return {
    requestParameters: {
      $or: [
        { "x-amz-acl": [...PUBLIC_CANNED_ACLS] },
        ...GRANT_HEADERS.map((header) => ({ [header]: naming })),
        { AccessControlPolicy: { AccessControlList: { Grant: { Grantee: { URI: [...PUBLIC_GROUP_URIS] } } } } },
      ],
    },
  };
}
/** CORS rules of a PutBucketCors request that allow any origin. */
export function permissiveCorsRules(record: Json): Json[] {
  return rawCorsRules(requestedCors(record)).filter((rule): rule is Json => isObject(rule) && allowsAnyOrigin(rule));
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
