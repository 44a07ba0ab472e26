import { declareDetection, request } from "../declare.js";
import { bucketOf } from "../facts/s3.js";
import { identityFacts, isObject, principalOf, quote } from "../record.js";

/**
 * PutBucketVersioning logs the request body as `VersioningConfiguration`
 * (`{Status, MfaDelete, xmlns}`, the S3 XML element names). S3 refuses values other than
 * Enabled/Suspended and Enabled/Disabled, so the comparison is exact.
 */
export const s3VersioningSuspended = declareDetection({
  id: "s3-versioning-suspended",
  title: "S3 bucket versioning suspended",
  category: "storage",
  severity: "high",
  attack: { id: "T1490", name: "Inhibit System Recovery" },
  asff: ["Effects/Data Destruction", "Software and Configuration Checks/AWS Security Best Practices"],
  description:
    "s3:PutBucketVersioning succeeded with VersioningConfiguration.Status Suspended (new writes and deletes stop keeping earlier versions) or MfaDelete Disabled (deleting versions no longer needs the root user's MFA).",
  why: "Versioning is what lets a bucket's owner get objects back after they are overwritten or deleted; suspending it (or dropping MFA delete) is the usual first step of a ransom or wipe of S3 data.",
  tuning:
    "A request that sets MfaDelete Disabled fires even when MFA delete was already off, since CloudTrail does not log the previous state: infrastructure code that spells out mfa_delete = Disabled fires on every apply. Versions kept before the suspension stay; only later writes and deletes lose them.",
  response: { mode: "auto", action: "s3-enable-versioning" },
  calls: [{ source: "aws.s3", names: ["PutBucketVersioning"] }],
  match: (record) => {
    const configuration = request(record, "VersioningConfiguration");
    if (!isObject(configuration)) return undefined;
    const suspended = configuration.Status === "Suspended";
    const mfaDeleteOff = configuration.MfaDelete === "Disabled";
    if (!suspended && !mfaDeleteOff) return undefined;
    const bucket = bucketOf(record);
    const change = [suspended ? "suspended versioning" : "", mfaDeleteOff ? "disabled MFA delete" : ""]
      .filter(Boolean)
      .join(" and ");
    return {
      resource: bucket,
      summary: `${quote(principalOf(record))} ${change} on bucket ${quote(bucket || "unknown", 64)}`,
      facts: {
        eventName: "PutBucketVersioning",
        ...identityFacts(record),
        bucket,
        ...(suspended ? { versioningStatus: "Suspended" } : {}),
        ...(mfaDeleteOff ? { mfaDelete: "Disabled" } : {}),
      },
    };
  },
});
