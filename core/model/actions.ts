/**
 * Remediation action ids: the keys of the action registry (`core/remediation/`) and what each
 * detection's default response names (`core/detections/`). Kebab-case, stable.
 */
export const REMEDIATION_ACTION_IDS = [
  /** Revoke exactly the offending world-open security group rules. */
  "revoke-sg-rules",
  /** PutPublicAccessBlock (all four settings) on the bucket. */
  "s3-block-public-access",
  /** PutPublicAccessBlock at account level (S3 Control). */
  "s3-account-block-public-access",
  /** Remove public statements from the bucket policy, or restore the last known good one. */
  "s3-remove-public-policy",
  /** Private bucket ACL. */
  "s3-private-acl",
  /** Private object ACL. */
  "s3-private-object-acl",
  /** DeleteBucketWebsite. */
  "s3-delete-website",
  /** Restore or restrict the bucket's CORS configuration. */
  "s3-restrict-cors",
  /** Time-boxed inline deny policy on the user (expires by `aws:CurrentTime`). */
  "iam-deny-temporarily",
  /** Deny sessions issued before now (`aws:TokenIssueTime`) on the user or role. */
  "iam-revoke-sessions",
  /** UpdateAccessKey Inactive. */
  "iam-deactivate-access-key",
  /** StartLogging on the stopped trail. */
  "cloudtrail-start-logging",
  /** Add the client IP to the configured WAF IP set. */
  "waf-block-ip",
  /** Add a network ACL deny entry for the client IP. */
  "nacl-deny-ip",
  /** UpdateDetector Enable=true on the suspended GuardDuty detector. */
  "guardduty-enable-detector",
  /** StartConfigurationRecorder on the stopped AWS Config recorder. */
  "config-start-recorder",
  /** CancelKeyDeletion (then EnableKey) on a KMS key scheduled for deletion; EnableKey on a disabled one. */
  "kms-restore-key",
  /** EnableEbsEncryptionByDefault in the region. */
  "ebs-enable-default-encryption",
  /** PutBucketVersioning Status=Enabled on the bucket (MFA delete is left to people). */
  "s3-enable-versioning",
  /** ModifySnapshotAttribute remove: exactly the create-volume permission the event added. */
  "ebs-snapshot-unshare",
  /** ModifyImageAttribute remove: exactly the launch permission the event added. */
  "ami-unshare",
  /** ModifyDB(Cluster)SnapshotAttribute ValuesToRemove: exactly the restore values the event added. */
  "rds-snapshot-unshare",
  /** ModifyDBInstance / ModifyDBCluster DeletionProtection=true. */
  "rds-enable-deletion-protection",
  /** UpdateAccessKey Inactive on every active access key of the user (AWS quarantined one of them). */
  "iam-deactivate-user-keys",
  /** DeleteNetworkAclEntry: the inbound allow-all entry CreateNetworkAclEntry added. */
  "nacl-delete-allow-all-entry",
  /** StopInstances on the launched instances still running. */
  "ec2-stop-instances",
  /** UpdateFunctionUrlConfig AuthType=AWS_IAM on the public function URL. */
  "lambda-url-require-iam",
  /** Remove the public statements of an SNS/SQS/ECR/Secrets Manager/KMS policy; Lambda RemovePermission of the public one added. */
  "resource-policy-remove-public",
  /** Detach*Policy the administrator managed policy, or Delete*Policy the inline one (its document kept). */
  "iam-remove-admin-policy",
  /** UpdateAssumeRolePolicy without the statements that open the role, then revoke its sessions. */
  "iam-restore-role-trust",
  /** EnableSecurityHub (no default standards) and BatchEnableStandards for exactly the standards disabled. */
  "securityhub-enable",
  /** EnableRule (or PutRule in its declared state) on one of Riposte's own disabled EventBridge rules. */
  "eventbridge-enable-rule",
  /** CancelDomainTransferToAnotherAwsAccount (a transfer pending) then EnableDomainTransferLock. */
  "route53-domain-relock",
  /** ModifyDBInstance PubliclyAccessible=false (applied at once; other pending changes keep their window). */
  "rds-disable-public-access",
  /** DeleteBucketReplication, or PutBucketReplication without the rules that replicate to foreign accounts. */
  "s3-remove-foreign-replication",
  /** UpdateIPSet Activate=false on the trusted IP list GuardDuty was given. */
  "guardduty-deactivate-ip-set",
  /** DeleteFilter on the GuardDuty suppression (ARCHIVE) rule, kept whole in the snapshot to recreate it. */
  "guardduty-delete-filter",
] as const;

export type RemediationActionId = (typeof REMEDIATION_ACTION_IDS)[number];
