/**
 * The public contract of Riposte's detection catalog: categories, severities and the
 * detection ids. The detection definitions themselves live in `core/detections/`.
 */

export const CATEGORIES = ["identity", "logging", "network", "storage", "threat"] as const;
export type Category = (typeof CATEGORIES)[number];

export const SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Numeric rank of a severity, for comparisons such as `--fail-on high`. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export const DETECTION_IDS_BY_CATEGORY = {
  identity: [
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
  ],
  logging: [
    "cloudtrail-tampering",
    "web-scanning",
    "guardduty-disabled",
    "guardduty-suppressed",
    "securityhub-disabled",
    "config-recording-stopped",
    "eventbridge-rule-disabled",
    "flow-logs-deleted",
    "log-deletion",
  ],
  network: [
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
  ],
  storage: [
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
  ],
  threat: ["guardduty-finding", "securityhub-finding"],
} as const satisfies Record<Category, readonly string[]>;

export type DetectionId = (typeof DETECTION_IDS_BY_CATEGORY)[Category][number];

export const DETECTION_IDS: readonly DetectionId[] = Object.values(DETECTION_IDS_BY_CATEGORY).flat();

const categoryOfId = new Map<string, Category>(
  CATEGORIES.flatMap((category) => DETECTION_IDS_BY_CATEGORY[category].map((id) => [id, category] as const)),
);

export function isDetectionId(value: string): value is DetectionId {
  return categoryOfId.has(value);
}

/** The workflow category a detection belongs to. */
export function categoryOf(id: DetectionId): Category {
  const category = categoryOfId.get(id);
  if (!category) throw new Error(`unknown detection id "${id}"`);
  return category;
}
