import type { RemediationActionId } from "../model/actions.js";
import { startLogging } from "./actions/cloudtrail.js";
import { startRecorder } from "./actions/config-recorder.js";
import { enableEbsDefaultEncryption } from "./actions/ebs-encryption.js";
import { unshareImage, unshareSnapshot } from "./actions/ec2-sharing.js";
import { stopInstances } from "./actions/ec2-stop.js";
import { enableRule } from "./actions/eventbridge-rule.js";
import { enableDetector } from "./actions/guardduty-detector.js";
import { deactivateIpSet, deleteFilter } from "./actions/guardduty-suppression.js";
import { deactivateAccessKey } from "./actions/iam-access-key.js";
import { removeAdminPolicy } from "./actions/iam-admin-policy.js";
import { denyTemporarily, revokeSessions } from "./actions/iam-policies.js";
import { restoreRoleTrust } from "./actions/iam-role-trust.js";
import { deactivateUserKeys } from "./actions/iam-user-keys.js";
import { restoreKey } from "./actions/kms-key.js";
import { requireIamOnUrl } from "./actions/lambda-url.js";
import { naclDenyIp } from "./actions/nacl.js";
import { deleteAllowAllEntry } from "./actions/nacl-allow-all.js";
import { enableDeletionProtection } from "./actions/rds-protection.js";
import { disablePublicAccess } from "./actions/rds-public.js";
import { unshareRdsSnapshot } from "./actions/rds-snapshot-sharing.js";
import { removePublicStatements } from "./actions/resource-policy.js";
import { relockDomain } from "./actions/route53-domain.js";
import { privateBucketAcl, privateObjectAcl } from "./actions/s3-acl.js";
import { restrictCors } from "./actions/s3-cors.js";
import { removePublicPolicy } from "./actions/s3-policy.js";
import { blockAccountPublicAccess, blockBucketPublicAccess } from "./actions/s3-public-access.js";
import { removeForeignReplication } from "./actions/s3-replication.js";
import { enableVersioning } from "./actions/s3-versioning.js";
import { deleteWebsite } from "./actions/s3-website.js";
import { revokeSgRules } from "./actions/security-group.js";
import { enableSecurityHub } from "./actions/securityhub.js";
import { wafBlockIp } from "./actions/waf.js";
import { isActionId, unknownAction } from "./planners.js";
import { type AnyAction, eraseAction } from "./types.js";

/**
 * The action registry: every remediation by id, as data (house style item 8). Unknown ids fail
 * with the list of valid ones.
 */
export const ACTIONS: Readonly<Record<RemediationActionId, AnyAction>> = {
  "revoke-sg-rules": eraseAction(revokeSgRules),
  "s3-block-public-access": eraseAction(blockBucketPublicAccess),
  "s3-account-block-public-access": eraseAction(blockAccountPublicAccess),
  "s3-remove-public-policy": eraseAction(removePublicPolicy),
  "s3-private-acl": eraseAction(privateBucketAcl),
  "s3-private-object-acl": eraseAction(privateObjectAcl),
  "s3-delete-website": eraseAction(deleteWebsite),
  "s3-restrict-cors": eraseAction(restrictCors),
  "iam-deny-temporarily": eraseAction(denyTemporarily),
  "iam-revoke-sessions": eraseAction(revokeSessions),
  "iam-deactivate-access-key": eraseAction(deactivateAccessKey),
  "cloudtrail-start-logging": eraseAction(startLogging),
  "waf-block-ip": eraseAction(wafBlockIp),
  "nacl-deny-ip": eraseAction(naclDenyIp),
  "guardduty-enable-detector": eraseAction(enableDetector),
  "config-start-recorder": eraseAction(startRecorder),
  "kms-restore-key": eraseAction(restoreKey),
  "ebs-enable-default-encryption": eraseAction(enableEbsDefaultEncryption),
  "s3-enable-versioning": eraseAction(enableVersioning),
  "ebs-snapshot-unshare": eraseAction(unshareSnapshot),
  "ami-unshare": eraseAction(unshareImage),
  "rds-snapshot-unshare": eraseAction(unshareRdsSnapshot),
  "rds-enable-deletion-protection": eraseAction(enableDeletionProtection),
  "iam-deactivate-user-keys": eraseAction(deactivateUserKeys),
  "nacl-delete-allow-all-entry": eraseAction(deleteAllowAllEntry),
  "ec2-stop-instances": eraseAction(stopInstances),
  "lambda-url-require-iam": eraseAction(requireIamOnUrl),
  "resource-policy-remove-public": eraseAction(removePublicStatements),
  "iam-remove-admin-policy": eraseAction(removeAdminPolicy),
  "iam-restore-role-trust": eraseAction(restoreRoleTrust),
  "securityhub-enable": eraseAction(enableSecurityHub),
  "eventbridge-enable-rule": eraseAction(enableRule),
  "route53-domain-relock": eraseAction(relockDomain),
  "rds-disable-public-access": eraseAction(disablePublicAccess),
  "s3-remove-foreign-replication": eraseAction(removeForeignReplication),
  "guardduty-deactivate-ip-set": eraseAction(deactivateIpSet),
  "guardduty-delete-filter": eraseAction(deleteFilter),
};

/** The action registered under `id`; unknown ids fail with the list of valid ones. */
export function getAction(id: string): AnyAction {
  if (!isActionId(id)) throw unknownAction(id);
  return ACTIONS[id];
}
