import { describe, expect, it } from "vitest";
import { CATEGORIES, categoryOf, DETECTION_IDS, DETECTION_IDS_BY_CATEGORY, isDetectionId } from "./catalog.js";

describe("detection catalog ids", () => {
  it("has unique, kebab-case public ids", () => {
    expect(new Set(DETECTION_IDS).size).toBe(DETECTION_IDS.length);
    for (const id of DETECTION_IDS) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it("keeps the public contract: the 34 first ids and the 30 of the breadth issue, in catalog order", () => {
    expect(DETECTION_IDS).toEqual([
      "root-account-usage",
      "console-login-failure",
      "console-login-brute-force",
      "console-login-new-ip",
      "console-login-new-device",
      "mfa-deactivated",
      "credential-change",
      "access-key-created",
      "access-key-anomalous-use",
      "impossible-travel",
      "unusual-region",
      "iam-admin-policy-attached",
      "iam-role-trust-opened",
      "iam-key-quarantined",
      "federation-provider-changed",
      "console-login-without-mfa",
      "secrets-bulk-read",
      "organization-leave",
      "cloudtrail-tampering",
      "web-scanning",
      "guardduty-disabled",
      "guardduty-suppressed",
      "securityhub-disabled",
      "config-recording-stopped",
      "eventbridge-rule-disabled",
      "flow-logs-deleted",
      "log-deletion",
      "sg-ssh-open-world",
      "sg-rule-modified-open",
      "sg-created-open",
      "sg-high-risk-port-open",
      "sg-temporary-rule",
      "sg-prod-tag-violation",
      "sg-ssh-restricted-cidr",
      "sg-zombie-rule",
      "sg-open-then-connection",
      "ec2-launched-with-open-sg",
      "sg-repeated-open",
      "config-sg-open-to-world",
      "sg-risk-resolved",
      "lambda-url-public",
      "nacl-allow-all",
      "route53-domain-transfer",
      "ec2-userdata-modified",
      "ec2-gpu-launch",
      "s3-object-acl-public",
      "s3-bucket-policy-public",
      "s3-public-access-block-disabled",
      "s3-website-enabled",
      "s3-cors-permissive",
      "s3-bucket-policy-deleted",
      "s3-bucket-acl-public",
      "ebs-snapshot-shared",
      "rds-snapshot-shared",
      "ami-shared",
      "rds-instance-public",
      "s3-versioning-suspended",
      "resource-policy-public",
      "kms-key-deletion",
      "s3-replication-external",
      "rds-protection-removed",
      "backup-deleted",
      "ebs-default-encryption-disabled",
      "guardduty-finding",
      "securityhub-finding",
    ]);
  });

  it("maps each id back to its category", () => {
    for (const category of CATEGORIES) {
      for (const id of DETECTION_IDS_BY_CATEGORY[category]) expect(categoryOf(id)).toBe(category);
    }
    expect(isDetectionId("guardduty-finding")).toBe(true);
    expect(isDetectionId("securityhub-finding")).toBe(true);
    expect(isDetectionId("made-up")).toBe(false);
  });
});
