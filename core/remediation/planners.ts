import { InvalidInput } from "../errors.js";
import { REMEDIATION_ACTION_IDS, type RemediationActionId } from "../model/actions.js";
import { startLoggingPlanner } from "./actions/cloudtrail.plan.js";
import { startRecorderPlanner } from "./actions/config-recorder.plan.js";
import { enableEbsDefaultEncryptionPlanner } from "./actions/ebs-encryption.plan.js";
import { unshareImagePlanner, unshareSnapshotPlanner } from "./actions/ec2-sharing.plan.js";
import { stopInstancesPlanner } from "./actions/ec2-stop.plan.js";
import { enableRulePlanner } from "./actions/eventbridge-rule.plan.js";
import { enableDetectorPlanner } from "./actions/guardduty-detector.plan.js";
import { deactivateIpSetPlanner, deleteFilterPlanner } from "./actions/guardduty-suppression.plan.js";
import { deactivateAccessKeyPlanner } from "./actions/iam-access-key.plan.js";
import { removeAdminPolicyPlanner } from "./actions/iam-admin-policy.plan.js";
import { denyTemporarilyPlanner, revokeSessionsPlanner } from "./actions/iam-policies.plan.js";
import { restoreRoleTrustPlanner } from "./actions/iam-role-trust.plan.js";
import { deactivateUserKeysPlanner } from "./actions/iam-user-keys.plan.js";
import { restoreKeyPlanner } from "./actions/kms-key.plan.js";
import { requireIamOnUrlPlanner } from "./actions/lambda-url.plan.js";
import { naclDenyIpPlanner } from "./actions/nacl.plan.js";
import { deleteAllowAllEntryPlanner } from "./actions/nacl-allow-all.plan.js";
import { enableDeletionProtectionPlanner } from "./actions/rds-protection.plan.js";
import { disablePublicAccessPlanner } from "./actions/rds-public.plan.js";
import { unshareRdsSnapshotPlanner } from "./actions/rds-snapshot-sharing.plan.js";
import { removePublicStatementsPlanner } from "./actions/resource-policy.plan.js";
import { relockDomainPlanner } from "./actions/route53-domain.plan.js";
import { privateBucketAclPlanner, privateObjectAclPlanner } from "./actions/s3-acl.plan.js";
import { restrictCorsPlanner } from "./actions/s3-cors.plan.js";
import { removePublicPolicyPlanner } from "./actions/s3-policy.plan.js";
import { blockAccountPublicAccessPlanner, blockBucketPublicAccessPlanner } from "./actions/s3-public-access.plan.js";
import { removeForeignReplicationPlanner } from "./actions/s3-replication.plan.js";
import { enableVersioningPlanner } from "./actions/s3-versioning.plan.js";
import { deleteWebsitePlanner } from "./actions/s3-website.plan.js";
import { revokeSgRulesPlanner } from "./actions/security-group.plan.js";
import { enableSecurityHubPlanner } from "./actions/securityhub.plan.js";
import { wafBlockIpPlanner } from "./actions/waf.plan.js";
import { type AnyPlanner, erasePlanner } from "./types.js";

/**
 * The planning half of every action, keyed by id: what the static plan (shown to approvers and
 * recorded in dry-run) is built from. `registry.ts` holds the whole actions.
 */
export const PLANNERS: Readonly<Record<RemediationActionId, AnyPlanner>> = {
  "revoke-sg-rules": erasePlanner(revokeSgRulesPlanner),
  "s3-block-public-access": erasePlanner(blockBucketPublicAccessPlanner),
  "s3-account-block-public-access": erasePlanner(blockAccountPublicAccessPlanner),
  "s3-remove-public-policy": erasePlanner(removePublicPolicyPlanner),
  "s3-private-acl": erasePlanner(privateBucketAclPlanner),
  "s3-private-object-acl": erasePlanner(privateObjectAclPlanner),
  "s3-delete-website": erasePlanner(deleteWebsitePlanner),
  "s3-restrict-cors": erasePlanner(restrictCorsPlanner),
  "iam-deny-temporarily": erasePlanner(denyTemporarilyPlanner),
  "iam-revoke-sessions": erasePlanner(revokeSessionsPlanner),
  "iam-deactivate-access-key": erasePlanner(deactivateAccessKeyPlanner),
  "cloudtrail-start-logging": erasePlanner(startLoggingPlanner),
  "waf-block-ip": erasePlanner(wafBlockIpPlanner),
  "nacl-deny-ip": erasePlanner(naclDenyIpPlanner),
  "guardduty-enable-detector": erasePlanner(enableDetectorPlanner),
  "config-start-recorder": erasePlanner(startRecorderPlanner),
  "kms-restore-key": erasePlanner(restoreKeyPlanner),
  "ebs-enable-default-encryption": erasePlanner(enableEbsDefaultEncryptionPlanner),
  "s3-enable-versioning": erasePlanner(enableVersioningPlanner),
  "ebs-snapshot-unshare": erasePlanner(unshareSnapshotPlanner),
  "ami-unshare": erasePlanner(unshareImagePlanner),
  "rds-snapshot-unshare": erasePlanner(unshareRdsSnapshotPlanner),
  "rds-enable-deletion-protection": erasePlanner(enableDeletionProtectionPlanner),
  "iam-deactivate-user-keys": erasePlanner(deactivateUserKeysPlanner),
  "nacl-delete-allow-all-entry": erasePlanner(deleteAllowAllEntryPlanner),
  "ec2-stop-instances": erasePlanner(stopInstancesPlanner),
  "lambda-url-require-iam": erasePlanner(requireIamOnUrlPlanner),
  "resource-policy-remove-public": erasePlanner(removePublicStatementsPlanner),
  "iam-remove-admin-policy": erasePlanner(removeAdminPolicyPlanner),
  "iam-restore-role-trust": erasePlanner(restoreRoleTrustPlanner),
  "securityhub-enable": erasePlanner(enableSecurityHubPlanner),
  "eventbridge-enable-rule": erasePlanner(enableRulePlanner),
  "route53-domain-relock": erasePlanner(relockDomainPlanner),
  "rds-disable-public-access": erasePlanner(disablePublicAccessPlanner),
  "s3-remove-foreign-replication": erasePlanner(removeForeignReplicationPlanner),
  "guardduty-deactivate-ip-set": erasePlanner(deactivateIpSetPlanner),
  "guardduty-delete-filter": erasePlanner(deleteFilterPlanner),
};

/** Whether `id` names a remediation action. */
export function isActionId(id: string): id is RemediationActionId {
  return (REMEDIATION_ACTION_IDS as readonly string[]).includes(id);
}

/** The error for an id no action has, listing the valid ones. */
export function unknownAction(id: string): InvalidInput {
  return new InvalidInput(`unknown remediation action "${id}"; valid actions: ${REMEDIATION_ACTION_IDS.join(", ")}`);
}

/** The planner of an action; unknown ids fail with the list of valid ones. */
export function getPlanner(id: string): AnyPlanner {
  if (!isActionId(id)) throw unknownAction(id);
  return PLANNERS[id];
}
