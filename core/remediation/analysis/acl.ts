import type { Grant, Owner } from "@aws-sdk/client-s3";

/**
 * S3 ACL grants: which make a bucket or object public (grants to the AllUsers or
 * AuthenticatedUsers groups), in the SDK's shape (`Grants: [{ Grantee: { Type, URI, ID }, Permission }]`).
 */

export const PUBLIC_GROUP_URIS = [
  "http://acs.amazonaws.com/groups/global/AllUsers",
  "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
] as const;

/** Canned ACLs that grant to one of the public groups. */
export const PUBLIC_CANNED_ACLS = ["public-read", "public-read-write", "authenticated-read"] as const;

export type AclGrant = Grant;
export type AclOwner = Owner;

export function isPublicGrant(grant: AclGrant): boolean {
  const uri = grant.Grantee?.URI;
  return uri !== undefined && (PUBLIC_GROUP_URIS as readonly string[]).includes(uri.replace(/^https:/, "http:"));
}

/**
 * Whether ACL facts recorded from an event (a canned ACL name, grant lists in the SDK's or
 * CloudTrail's shape, or any mix) name a public grant. Facts are searched, not trusted for shape.
 */
export function factsShowPublicAcl(acl: unknown): boolean {
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): boolean => {
    if (depth > 8 || seen.has(value)) return false;
    if (typeof value === "string") {
      const text = value.trim().toLowerCase();
      return (
        (PUBLIC_CANNED_ACLS as readonly string[]).includes(text) ||
        PUBLIC_GROUP_URIS.some((uri) => text === uri.toLowerCase()) ||
        text.includes("uri=http://acs.amazonaws.com/groups/global/allusers") ||
        text.includes("uri=http://acs.amazonaws.com/groups/global/authenticatedusers")
      );
    }
    if (typeof value !== "object" || value === null) return false;
    seen.add(value);
    return Object.values(value).some((v) => visit(v, depth + 1));
  };
  return visit(acl, 0);
}
