import type { StorageFacts } from "../../model/facts.js";
import { cloudTrailDraft } from "../draft.js";
import {
  bucketOf,
  disabledBlockSettings,
  permissiveCorsRules,
  publicAclRequest,
  publicGrants,
  publicStatements,
  requestedCors,
  requestedPolicy,
} from "../facts/s3.js";
import { apiCalls, NO_ERROR } from "../pattern-helpers.js";
import { at, type Json, principalOf, quote, str } from "../record.js";
import type { StatelessDetection } from "../types.js";

/** S3 exposure detections: each needs one CloudTrail event. */

const EXPOSURE = { id: "T1530", name: "Data from Cloud Storage" };

function storageDraft(envelope: Parameters<typeof cloudTrailDraft>[0], summary: string, facts: StorageFacts) {
  return cloudTrailDraft(envelope, {
    resource: facts.key ? `${facts.bucket}/${facts.key}` : facts.bucket,
    summary,
    facts,
  });
}

export const s3ObjectAclPublic: StatelessDetection = {
  id: "s3-object-acl-public",
  title: "S3 object made public",
  category: "storage",
  severity: "high",
  attack: EXPOSURE,
  stateful: false,
  description:
    "An object ACL grants AllUsers or AuthenticatedUsers, or uses a public canned ACL (public-read, public-read-write, authenticated-read): PutObjectAcl, or PutObject/CopyObject with such an ACL (S3 data events).",
  why: "A public object is readable by anyone with its URL; object-level grants bypass a careful bucket policy.",
  tuning:
    "PutObject and CopyObject are data events: the trail must log S3 data events for them to be seen. Buckets that must serve public objects belong behind CloudFront instead.",
  response: { mode: "auto", action: "s3-private-object-acl" },
  // Filtered on the ACL in the pattern: otherwise EventBridge would deliver every object write.
  buildPattern: () =>
    apiCalls("aws.s3", ["PutObjectAcl", "PutObject", "CopyObject"], { ...NO_ERROR, ...publicAclRequest() }),
  evaluate(envelope) {
    const record = envelope.detail as Json;
    const grants = publicGrants(record);
    if (grants.length === 0) return undefined;
    const bucket = bucketOf(record);
    const key = str(at(record, "requestParameters", "key"));
    return storageDraft(
      envelope,
      `${quote(principalOf(record))} made s3://${quote(bucket, 64)}/${quote(key, 100)} public (${grants.join(", ")})`,
      {
        bucket,
        key,
        acl: at(record, "requestParameters", "AccessControlPolicy") ?? at(record, "requestParameters", "x-amz-acl"),
      },
    );
  },
};

export const s3BucketPolicyPublic: StatelessDetection = {
  id: "s3-bucket-policy-public",
  title: "S3 bucket policy made public",
  category: "storage",
  severity: "critical",
  attack: EXPOSURE,
  stateful: false,
  description:
    'PutBucketPolicy set a policy with an Allow statement for a wildcard principal ("*", {"AWS": "*"}, or NotPrincipal) that no condition pins to a fixed network, organization, account or ARN.',
  why: "A public bucket policy exposes every object it covers to the internet — the classic S3 data leak.",
  tuning:
    "Statements restricted by aws:SourceIp (not /0), aws:SourceVpc(e), aws:PrincipalOrgID, aws:SourceAccount/Arn and similar keys are not public. Remediation removes only the public statements.",
  response: { mode: "auto", action: "s3-remove-public-policy" },
  buildPattern: () => apiCalls("aws.s3", ["PutBucketPolicy"], NO_ERROR),
  evaluate(envelope) {
    const record = envelope.detail as Json;
    const policy = requestedPolicy(record);
    if (!policy) return undefined;
    const statements = publicStatements(policy);
    if (statements.length === 0) return undefined;
    const bucket = bucketOf(record);
    const sids = statements.map((statement) => str(statement.Sid)).filter(Boolean);
    return storageDraft(
      envelope,
      `${quote(principalOf(record))} set a public policy on bucket ${quote(bucket, 64)}${sids.length ? ` (statement ${sids.map((sid) => quote(sid, 40)).join(", ")})` : ""}`,
      { bucket, policy: JSON.stringify(policy), publicStatements: statements },
    );
  },
};

export const s3PublicAccessBlockDisabled: StatelessDetection = {
  id: "s3-public-access-block-disabled",
  title: "S3 Block Public Access turned off",
  category: "storage",
  severity: "high",
  attack: EXPOSURE,
  stateful: false,
  description:
    "A bucket's or the account's public access block was deleted (DeleteBucketPublicAccessBlock, DeleteAccountPublicAccessBlock) or set with any of its four settings false (PutBucketPublicAccessBlock, PutAccountPublicAccessBlock).",
  why: "Block Public Access is the safety net that stops a bad policy or ACL from exposing data; turning it off is usually the step before making something public.",
  tuning:
    "A put request that carries no configuration is not judged. Remediation restores all four settings (at account level with S3 Control for account changes).",
  response: { mode: "auto", action: "s3-block-public-access" },
  buildPattern: () =>
    apiCalls(
      "aws.s3",
      [
        "DeleteBucketPublicAccessBlock",
        "PutBucketPublicAccessBlock",
        "DeleteAccountPublicAccessBlock",
        "PutAccountPublicAccessBlock",
      ],
      NO_ERROR,
    ),
  evaluate(envelope) {
    const record = envelope.detail as Json;
    const eventName = str(record.eventName);
    const accountLevel = eventName.includes("Account");
    let what: string;
    if (eventName.startsWith("Delete")) what = "removed the public access block";
    else {
      const disabled = disabledBlockSettings(record);
      if (!disabled || disabled.length === 0) return undefined;
      what = `turned off ${disabled.join(", ")}`;
    }
    const bucket = accountLevel ? "" : bucketOf(record);
    const account = str(record.recipientAccountId);
    const target = accountLevel ? `account ${quote(account, 20)}` : `bucket ${quote(bucket, 64)}`;
    return cloudTrailDraft(envelope, {
      resource: accountLevel ? `account/${account}` : bucket,
      summary: `${quote(principalOf(record))} ${what} of ${target}`,
      facts: {
        bucket,
        accountLevel,
        eventName,
        configuration: at(record, "requestParameters", "PublicAccessBlockConfiguration"),
      } satisfies StorageFacts,
    });
  },
};

export const s3WebsiteEnabled: StatelessDetection = {
  id: "s3-website-enabled",
  title: "S3 static website hosting enabled",
  category: "storage",
  severity: "medium",
  attack: EXPOSURE,
  stateful: false,
  description: "PutBucketWebsite turned on static website hosting for a bucket.",
  why: "Website endpoints serve objects over plain HTTP to anyone (when the bucket allows it) and are a common way buckets end up public.",
  tuning: "Buckets meant to host sites fire too: use CloudFront with origin access control, or set the mode to notify.",
  response: { mode: "auto", action: "s3-delete-website" },
  buildPattern: () => apiCalls("aws.s3", ["PutBucketWebsite"], NO_ERROR),
  evaluate(envelope) {
    const record = envelope.detail as Json;
    const bucket = bucketOf(record);
    return storageDraft(
      envelope,
      `${quote(principalOf(record))} enabled website hosting on bucket ${quote(bucket, 64)}`,
      {
        bucket,
        website: at(record, "requestParameters", "WebsiteConfiguration"),
      },
    );
  },
};

export const s3CorsPermissive: StatelessDetection = {
  id: "s3-cors-permissive",
  title: "S3 CORS allows any origin",
  category: "storage",
  severity: "medium",
  attack: EXPOSURE,
  stateful: false,
  description: 'PutBucketCors set a CORS rule whose AllowedOrigin is "*" (or any scheme with a wildcard host).',
  why: "Any-origin CORS lets every web page read (or, with PUT/POST/DELETE, write) the bucket from a visitor's browser.",
  tuning:
    'List your own origins instead of "*". Remediation restores the previous CORS configuration when Riposte saw one, or removes the wildcard rules.',
  response: { mode: "auto", action: "s3-restrict-cors" },
  buildPattern: () => apiCalls("aws.s3", ["PutBucketCors"], NO_ERROR),
  evaluate(envelope) {
    const record = envelope.detail as Json;
    const rules = permissiveCorsRules(record);
    if (rules.length === 0) return undefined;
    const bucket = bucketOf(record);
    const methods = [...new Set(rules.flatMap((rule) => [rule.AllowedMethod].flat().map(String)))];
    return storageDraft(
      envelope,
      `${quote(principalOf(record))} allowed any origin in the CORS configuration of bucket ${quote(bucket, 64)} (${quote(methods.join(", "), 60)})`,
      { bucket, cors: requestedCors(record) },
    );
  },
};

export const s3BucketPolicyDeleted: StatelessDetection = {
  id: "s3-bucket-policy-deleted",
  title: "S3 bucket policy deleted",
  category: "storage",
  severity: "medium",
  attack: { id: "T1562", name: "Impair Defenses" },
  stateful: false,
  description: "DeleteBucketPolicy removed a bucket's policy.",
  why: "Bucket policies often carry the protective statements (deny unencrypted transport, deny outside the organization); deleting one removes them all.",
  tuning: "Remediation restores the last policy Riposte saw for the bucket, so it needs approval by default.",
  response: { mode: "approval", action: "s3-remove-public-policy" },
  buildPattern: () => apiCalls("aws.s3", ["DeleteBucketPolicy"], NO_ERROR),
  evaluate(envelope) {
    const record = envelope.detail as Json;
    const bucket = bucketOf(record);
    return storageDraft(envelope, `${quote(principalOf(record))} deleted the policy of bucket ${quote(bucket, 64)}`, {
      bucket,
    });
  },
};

export const s3BucketAclPublic: StatelessDetection = {
  id: "s3-bucket-acl-public",
  title: "S3 bucket ACL made public",
  category: "storage",
  severity: "high",
  attack: EXPOSURE,
  stateful: false,
  description:
    "PutBucketAcl (or CreateBucket with an ACL) granted AllUsers or AuthenticatedUsers, or used a public canned ACL.",
  why: "A public bucket ACL can expose the listing or every object; AuthenticatedUsers means any AWS account, not yours.",
  tuning: "Prefer bucket owner enforced object ownership, which disables ACLs entirely.",
  response: { mode: "auto", action: "s3-private-acl" },
  buildPattern: () => apiCalls("aws.s3", ["PutBucketAcl", "CreateBucket"], NO_ERROR),
  evaluate(envelope) {
    const record = envelope.detail as Json;
    const grants = publicGrants(record);
    if (grants.length === 0) return undefined;
    const bucket = bucketOf(record);
    return storageDraft(
      envelope,
      `${quote(principalOf(record))} made bucket ${quote(bucket, 64)} public (${grants.join(", ")})`,
      {
        bucket,
        acl: at(record, "requestParameters", "AccessControlPolicy") ?? at(record, "requestParameters", "x-amz-acl"),
      },
    );
  },
};

export const STORAGE_STATELESS: readonly StatelessDetection[] = [
  s3ObjectAclPublic,
  s3BucketPolicyPublic,
  s3PublicAccessBlockDisabled,
  s3WebsiteEnabled,
  s3CorsPermissive,
  s3BucketPolicyDeleted,
  s3BucketAclPublic,
];
