import type { Grant, Owner } from "@aws-sdk/client-s3";

/**
 * S3 ACL exposure. Public means a grant to the AllUsers group (anyone) or the
 * AuthenticatedUsers group (any AWS account), or a canned ACL that makes one (S3 "Access control
 * list (ACL) overview": Amazon S3 predefined groups and canned ACL). The group URIs are written
 * `http://acs.amazonaws.com/groups/global/…`; an `https:` spelling is read as the same group.
 */

export const PUBLIC_GROUP_URIS = [
  "http://acs.amazonaws.com/groups/global/AllUsers",
  "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
] as const;

/** Canned ACLs that grant to one of the public groups. */
export const PUBLIC_CANNED_ACLS = ["public-read", "public-read-write", "authenticated-read"] as const;

export type AclGrant = Grant;
export type AclOwner = Owner;

/** The public group a grantee URI names, if any (in its documented `http:` spelling). */
export function publicGroupUri(uri: string | undefined): string | undefined {
  if (uri === undefined) return undefined;
  const text = uri.trim().replace(/^https:/i, "http:");
  return PUBLIC_GROUP_URIS.find((group) => group === text);
}

/** The public group named inside grant-header text (`uri="http://acs…/AllUsers", id=…`), if any. */
export function publicGroupInText(text: string): string | undefined {
  const lower = text.toLowerCase().replace(/https:\/\/acs/g, "http://acs");
  return PUBLIC_GROUP_URIS.find((group) => {
    const at = lower.indexOf(group.toLowerCase());
    // The URI must end there: `…/AllUsersX` names no group.
    return at >= 0 && !/[a-z0-9]/i.test(lower.charAt(at + group.length));
  });
}

export function isPublicCannedAcl(name: unknown): boolean {
  return typeof name === "string" && (PUBLIC_CANNED_ACLS as readonly string[]).includes(name.trim());
}

/** Whether a grant (the SDK's shape) makes its bucket or object public. */
export function isPublicGrant(grant: AclGrant): boolean {
  return publicGroupUri(grant.Grantee?.URI) !== undefined;
}

/** `AllUsers (everyone)` or `AuthenticatedUsers (any AWS account)`, for summaries. */
export function publicGroupName(uri: string): string {
  return uri.endsWith("AllUsers") ? "AllUsers (everyone)" : "AuthenticatedUsers (any AWS account)";
}
