import type { RemediationActionId } from "../model/actions.js";

/**
 * Security Hub control findings → the remediation that answers them, where the catalog has one.
 * Keyed by the security control id (`Compliance.SecurityControlId`, the same across standards;
 * the Security Hub controls reference): world-open security groups revoke the world-open rules
 * (on the ports the control names, or every risky port), S3 public access restores the bucket's
 * (or the account's) public access block. Everything else is notify only: CloudTrail.1 names the
 * account, not a stopped trail, so there is nothing for StartLogging to act on.
 */

interface ControlMapping {
  action: RemediationActionId;
  what: string;
}

const CONTROLS: Readonly<Record<string, ControlMapping>> = {
  // EC2.13: no ingress from 0.0.0.0/0 or ::/0 to port 22.
  "EC2.13": { action: "revoke-sg-rules", what: "revoke the world-open rules on port 22" },
  // EC2.14: no ingress from 0.0.0.0/0 or ::/0 to port 3389.
  "EC2.14": { action: "revoke-sg-rules", what: "revoke the world-open rules on port 3389" },
  // EC2.19: no unrestricted access to ports with high risk.
  "EC2.19": { action: "revoke-sg-rules", what: "revoke the world-open rules on high-risk ports" },
  // EC2.53 / EC2.54: no ingress from 0.0.0.0/0 (::/0) to remote server administration ports.
  "EC2.53": { action: "revoke-sg-rules", what: "revoke the world-open rules on administration ports" },
  "EC2.54": { action: "revoke-sg-rules", what: "revoke the world-open rules on administration ports" },
  // S3.1: account-level block public access settings enabled.
  "S3.1": { action: "s3-account-block-public-access", what: "restore the account's public access block" },
  // S3.8: bucket-level block public access; S3.2 / S3.3: no public read / write access.
  "S3.8": { action: "s3-block-public-access", what: "restore the bucket's public access block" },
  "S3.2": { action: "s3-block-public-access", what: "restore the bucket's public access block" },
  "S3.3": { action: "s3-block-public-access", what: "restore the bucket's public access block" },
};

/** Every action some Security Hub finding can map to. */
export const SECURITYHUB_ACTIONS: readonly RemediationActionId[] = [
  ...new Set(Object.values(CONTROLS).map((mapping) => mapping.action)),
];

/** Security control ids are Security Hub's, but only a well-formed one is repeated in a reason. */
const CONTROL_ID = /^[A-Za-z0-9]{1,32}\.[0-9]{1,4}$/;

/** The action for a Security Hub finding's facts, with a note saying why. */
export function securityHubAction(facts: Record<string, unknown>): { action?: RemediationActionId; note: string } {
  const control = typeof facts.controlId === "string" && CONTROL_ID.test(facts.controlId) ? facts.controlId : undefined;
  if (!control) return { note: "the Security Hub finding names no security control: notify only" };
  const mapping = Object.hasOwn(CONTROLS, control) ? CONTROLS[control] : undefined;
  if (!mapping) return { note: `Security Hub control ${control} has no matching remediation: notify only` };
  return { action: mapping.action, note: `Security Hub control ${control}: ${mapping.what}` };
}
