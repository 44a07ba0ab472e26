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

/**
 * Whether an action's change can be undone, and how: `yes` when the previous state comes back
 * whole (the action's `before` snapshot on the incident holds it), `partly` when something the
 * action ended stays ended, `no` when nothing brings it back. Shown in `docs/detections.md`.
 */
export interface Reversibility {
  reversible: "yes" | "partly" | "no";
  /** The undo, as the AWS call(s) to make, or what cannot come back. */
  how: string;
}

/** Every action's reversibility: a new action id without an entry fails to compile. */
export const ACTION_REVERSIBILITY = {
  "revoke-sg-rules": {
    reversible: "yes",
    how: "AuthorizeSecurityGroupIngress/Egress with the revoked rules, from the action's before snapshot.",
  },
  "s3-block-public-access": {
    reversible: "yes",
    how: "PutPublicAccessBlock with the bucket's previous settings (DeletePublicAccessBlock when it had none).",
  },
  "s3-account-block-public-access": {
    reversible: "yes",
    how: "S3 Control PutPublicAccessBlock with the account's previous settings (DeletePublicAccessBlock when it had none).",
  },
  "s3-remove-public-policy": {
    reversible: "yes",
    how: "PutBucketPolicy with the previous policy, from the action's before snapshot.",
  },
  "s3-private-acl": {
    reversible: "yes",
    how: "PutBucketAcl with the previous grants, from the action's before snapshot.",
  },
  "s3-private-object-acl": {
    reversible: "yes",
    how: "PutObjectAcl with the previous grants, from the action's before snapshot.",
  },
  "s3-delete-website": {
    reversible: "yes",
    how: "PutBucketWebsite with the previous configuration, from the action's before snapshot.",
  },
  "s3-restrict-cors": {
    reversible: "yes",
    how: "PutBucketCors with the previous rules, from the action's before snapshot.",
  },
  "iam-deny-temporarily": {
    reversible: "yes",
    how: "DeleteUserPolicy on the inline deny policy; it also lapses by itself when its time window ends.",
  },
  "iam-revoke-sessions": {
    reversible: "partly",
    how: "DeleteUserPolicy/DeleteRolePolicy on the inline deny lets new sessions work; the sessions it cut stay invalid (their holders sign in again).",
  },
  "iam-deactivate-access-key": {
    reversible: "yes",
    how: "UpdateAccessKey Status=Active on the key.",
  },
  "cloudtrail-start-logging": {
    reversible: "yes",
    how: "StopLogging on the trail (the events logged meanwhile stay delivered).",
  },
  "waf-block-ip": {
    reversible: "yes",
    how: "UpdateIPSet with the set's previous addresses (the blocked address removed).",
  },
  "nacl-deny-ip": {
    reversible: "yes",
    how: "DeleteNetworkAclEntry on the deny entry it added (its rule number is in the planned call).",
  },
  "guardduty-enable-detector": {
    reversible: "yes",
    how: "UpdateDetector Enable=false.",
  },
  "config-start-recorder": {
    reversible: "yes",
    how: "StopConfigurationRecorder.",
  },
  "kms-restore-key": {
    reversible: "yes",
    how: "DisableKey, or ScheduleKeyDeletion again (a new waiting period of 7 to 30 days starts).",
  },
  "ebs-enable-default-encryption": {
    reversible: "partly",
    how: "DisableEbsEncryptionByDefault; volumes created meanwhile stay encrypted.",
  },
  "s3-enable-versioning": {
    reversible: "partly",
    how: "PutBucketVersioning Status=Suspended; object versions written meanwhile stay until deleted.",
  },
  "ebs-snapshot-unshare": {
    reversible: "yes",
    how: "ModifySnapshotAttribute OperationType=add with the removed groups and accounts (the planned call's values).",
  },
  "ami-unshare": {
    reversible: "yes",
    how: "ModifyImageAttribute OperationType=add with the removed groups and accounts (the planned call's values).",
  },
  "rds-snapshot-unshare": {
    reversible: "yes",
    how: "ModifyDBSnapshotAttribute / ModifyDBClusterSnapshotAttribute ValuesToAdd with the removed values.",
  },
  "rds-enable-deletion-protection": {
    reversible: "yes",
    how: "ModifyDBInstance / ModifyDBCluster DeletionProtection=false.",
  },
  "iam-deactivate-user-keys": {
    reversible: "yes",
    how: "UpdateAccessKey Status=Active on each key the action deactivated (listed in its planned calls); the leaked key should stay off.",
  },
  "nacl-delete-allow-all-entry": {
    reversible: "yes",
    how: "CreateNetworkAclEntry with the deleted entry, from the action's before snapshot; a restored replaced entry: ReplaceNetworkAclEntry with the allow-all entry from the before snapshot.",
  },
  "ec2-stop-instances": {
    reversible: "partly",
    how: "StartInstances; instance store data and an auto-assigned public IPv4 address do not come back.",
  },
  "lambda-url-require-iam": {
    reversible: "yes",
    how: "UpdateFunctionUrlConfig AuthType=NONE.",
  },
  "resource-policy-remove-public": {
    reversible: "yes",
    how: "Set/Put the previous policy (SetTopicAttributes, SetQueueAttributes, SetRepositoryPolicy, PutResourcePolicy, PutKeyPolicy) from the action's before snapshot; Lambda: AddPermission with the removed statement.",
  },
  "iam-remove-admin-policy": {
    reversible: "yes",
    how: "Attach{User,Role,Group}Policy with the detached ARN, or Put{User,Role,Group}Policy with the inline document kept in the action's before snapshot.",
  },
  "iam-restore-role-trust": {
    reversible: "partly",
    how: "UpdateAssumeRolePolicy with the previous trust policy from the before snapshot; DeleteRolePolicy on the session-revoking deny lets new sessions work, the sessions it cut stay invalid.",
  },
  "securityhub-enable": {
    reversible: "yes",
    how: "DisableSecurityHub, or BatchDisableStandards on the standards it re-enabled.",
  },
  "eventbridge-enable-rule": {
    reversible: "yes",
    how: "DisableRule on Riposte's rule.",
  },
  "route53-domain-relock": {
    reversible: "partly",
    how: "DisableDomainTransferLock; TransferDomainToAnotherAwsAccount again (a new password is issued). A transfer the other account already accepted could not be cancelled in the first place.",
  },
  "rds-disable-public-access": {
    reversible: "yes",
    how: "ModifyDBInstance PubliclyAccessible=true (the previous value is in the before snapshot).",
  },
  "s3-remove-foreign-replication": {
    reversible: "partly",
    how: "PutBucketReplication with the configuration from the before snapshot; objects already copied to the other account stay there.",
  },
  "guardduty-deactivate-ip-set": {
    reversible: "yes",
    how: "UpdateIPSet Activate=true (name, location and format are kept in the before snapshot).",
  },
  "guardduty-delete-filter": {
    reversible: "yes",
    how: "CreateFilter with the filter kept whole (GetFilter) in the before snapshot.",
  },
} as const satisfies { readonly [id in RemediationActionId]: Reversibility };
