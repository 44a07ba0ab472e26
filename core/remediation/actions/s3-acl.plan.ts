import { type AclGrant, type AclOwner, isPublicGrant } from "../../risk/acl.js";
import { awsCall, liveValue } from "../aws/calls.js";
import type { ActionPlanner } from "../types.js";
import { quoted } from "./facts.js";
import { resolveBucket } from "./s3-target.js";

/**
 * `s3-private-acl` and `s3-private-object-acl`: remove the grants to AllUsers and
 * AuthenticatedUsers from a bucket's or an object's ACL, keeping the owner's and every other
 * grant (a canned `private` would also drop legitimate grants such as log delivery).
 */

export interface AclState {
  owner?: AclOwner;
  /** The current grants; undefined when not known without a live read. */
  grants?: AclGrant[];
}

export interface ObjectTarget {
  bucket: string;
  key: string;
}

const MAX_KEY_LENGTH = 1024;

function keptGrants(state: AclState) {
  const grants = state.grants ?? [];
  return { public: grants.filter(isPublicGrant), rest: grants.filter((grant) => !isPublicGrant(grant)) };
}

const UNKNOWN_ACL = "GetBucketAcl: the owner and grants without the AllUsers/AuthenticatedUsers grants";

export const privateBucketAclPlanner: ActionPlanner<{ bucket: string }, AclState> = {
  id: "s3-private-acl",
  description: "Remove the public grants (AllUsers, AuthenticatedUsers) from the bucket ACL.",
  permissions: ["s3:GetBucketAcl", "s3:PutBucketAcl", "s3:GetBucketTagging"],
  destructive: false,
  resolve: (incident) => resolveBucket(incident.facts),
  label: (target) => target.bucket,
  describe: ({ target }) =>
    `Remove the grants to everyone (AllUsers) and to any AWS user (AuthenticatedUsers) from the ACL of bucket ${target.bucket}, keeping its other grants.`,
  assume: () => ({}),
  plan({ target, state, incident }) {
    if (!state.grants) {
      return [
        awsCall(
          "s3",
          "PutBucketAcl",
          { Bucket: target.bucket, AccessControlPolicy: liveValue(UNKNOWN_ACL) },
          incident.region,
        ),
      ];
    }
    const split = keptGrants(state);
    if (split.public.length === 0) return [];
    return [
      awsCall(
        "s3",
        "PutBucketAcl",
        { Bucket: target.bucket, AccessControlPolicy: { Owner: state.owner, Grants: split.rest } },
        incident.region,
      ),
    ];
  },
};

export const privateObjectAclPlanner: ActionPlanner<ObjectTarget, AclState> = {
  id: "s3-private-object-acl",
  description: "Remove the public grants (AllUsers, AuthenticatedUsers) from the object ACL.",
  permissions: ["s3:GetObjectAcl", "s3:PutObjectAcl", "s3:GetBucketTagging"],
  destructive: false,
  resolve(incident) {
    const bucket = resolveBucket(incident.facts);
    if (!bucket.ok) return bucket;
    const key = incident.facts.key;
    if (typeof key !== "string" || key === "" || Buffer.byteLength(key) > MAX_KEY_LENGTH) {
      return { ok: false, reason: "the incident's facts name no valid object key" };
    }
    return { ok: true, target: { bucket: bucket.target.bucket, key } };
  },
  label: (target) => `${target.bucket}/${quoted(target.key)}`,
  describe: ({ target }) =>
    `Remove the grants to everyone (AllUsers) and to any AWS user (AuthenticatedUsers) from the ACL of object ${quoted(target.key)} in bucket ${target.bucket}, keeping its other grants.`,
  assume: () => ({}),
  plan({ target, state, incident }) {
    const where = { Bucket: target.bucket, Key: target.key };
    if (!state.grants) {
      return [
        awsCall(
          "s3",
          "PutObjectAcl",
          { ...where, AccessControlPolicy: liveValue(UNKNOWN_ACL.replace("Bucket", "Object")) },
          incident.region,
        ),
      ];
    }
    const split = keptGrants(state);
    if (split.public.length === 0) return [];
    return [
      awsCall(
        "s3",
        "PutObjectAcl",
        { ...where, AccessControlPolicy: { Owner: state.owner, Grants: split.rest } },
        incident.region,
      ),
    ];
  },
};
