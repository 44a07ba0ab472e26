import { describe, expect, it } from "vitest";
import { isPublicCannedAcl, isPublicGrant, publicGroupInText, publicGroupUri } from "./acl.js";

const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTHENTICATED = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

describe("S3 ACL exposure", () => {
  it.each<[string, string | undefined, string | undefined]>([
    ["AllUsers", ALL_USERS, ALL_USERS],
    ["AuthenticatedUsers", AUTHENTICATED, AUTHENTICATED],
    // Detection matched only the http spelling; remediation read https too (the safer answer).
    ["AllUsers spelled https", "https://acs.amazonaws.com/groups/global/AllUsers", ALL_USERS],
    ["with surrounding space", ` ${ALL_USERS} `, ALL_USERS],
    ["the log delivery group", "http://acs.amazonaws.com/groups/s3/LogDelivery", undefined],
    ["no URI (a canonical user)", undefined, undefined],
  ])("grantee %s → %s", (_name, uri, expected) => {
    expect(publicGroupUri(uri)).toBe(expected);
    expect(isPublicGrant({ Grantee: { Type: "Group", URI: uri } })).toBe(expected !== undefined);
  });

  it("finds a public group in grant-header text, and only a whole URI", () => {
    expect(publicGroupInText(`uri="${ALL_USERS}", id="abc"`)).toBe(ALL_USERS);
    expect(publicGroupInText(`URI=${AUTHENTICATED.toUpperCase()}`)).toBe(AUTHENTICATED);
    expect(publicGroupInText(`uri="${ALL_USERS}Extra"`)).toBeUndefined();
    expect(publicGroupInText('id="abc"')).toBeUndefined();
  });

  it.each([
    ["public-read", true],
    ["public-read-write", true],
    ["authenticated-read", true],
    ["private", false],
    ["bucket-owner-full-control", false],
  ])("canned ACL %s public: %s", (name, expected) => {
    expect(isPublicCannedAcl(name)).toBe(expected);
  });
});
