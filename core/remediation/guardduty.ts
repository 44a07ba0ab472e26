import type { RemediationActionId } from "../model/actions.js";

/**
 * GuardDuty finding types → the remediation that answers them, where one exists. Credential
 * findings deactivate the named long-term key (or revoke the sessions of a temporary one); S3
 * policy findings restore the public access block; CloudTrail logging disabled starts it again;
 * an unprotected port probe revokes the world-open rules of the instance's groups. Everything
 * else is notify only.
 */

interface Mapping {
  pattern: RegExp;
  action: RemediationActionId | ((facts: Record<string, unknown>) => RemediationActionId | undefined);
  /** For an `action` that depends on the facts: every action it can answer. */
  possible?: readonly RemediationActionId[];
  what: string;
  /** Why nothing applies when `action` finds none. */
  without?: string;
}

const CREDENTIAL_ACTIONS = ["iam-deactivate-access-key", "iam-revoke-sessions"] as const;

function credentialAction(facts: Record<string, unknown>): RemediationActionId | undefined {
  const key = facts.accessKeyId;
  if (typeof key !== "string") return undefined;
  if (key.startsWith("AKIA")) return "iam-deactivate-access-key";
  if (key.startsWith("ASIA")) return "iam-revoke-sessions";
  return undefined;
}

const MAPPINGS: readonly Mapping[] = [
  {
    pattern: /^Stealth:IAMUser\/CloudTrailLoggingDisabled$/,
    action: "cloudtrail-start-logging",
    what: "restart the trail",
  },
  {
    pattern: /^Policy:S3\/AccountBlockPublicAccessDisabled$/,
    action: "s3-account-block-public-access",
    what: "restore the account's public access block",
  },
  {
    pattern: /^Policy:S3\/Bucket(BlockPublicAccessDisabled|PublicAccessGranted|AnonymousAccessGranted)$/,
    action: "s3-block-public-access",
    what: "restore the bucket's public access block",
  },
  {
    pattern: /^Recon:EC2\/PortProbe(EMR)?UnprotectedPort$/,
    action: "revoke-sg-rules",
    what: "revoke the probed world-open rules",
  },
  {
    pattern: /^Policy:IAMUser\/RootCredentialUsage$/,
    action: () => undefined,
    possible: [],
    what: "secure the root user",
    without: "the root user cannot carry IAM policies",
  },
  {
    pattern:
      /^(UnauthorizedAccess|CredentialAccess|Exfiltration|Impact|PrivilegeEscalation|Persistence|InitialAccess|PenTest):IAMUser\//,
    action: credentialAction,
    possible: CREDENTIAL_ACTIONS,
    what: "disable the credentials it names",
    without: "it names no access key",
  },
  {
    pattern: /^CredentialAccess:/,
    action: credentialAction,
    possible: CREDENTIAL_ACTIONS,
    what: "disable the credentials it names",
    without: "it names no access key",
  },
];

/** Every action some GuardDuty finding can map to. */
export const GUARDDUTY_ACTIONS: readonly RemediationActionId[] = [
  ...new Set(
    MAPPINGS.flatMap((mapping) => (typeof mapping.action === "function" ? (mapping.possible ?? []) : [mapping.action])),
  ),
];

/** Finding types are GuardDuty's, but only a well-formed one is repeated in a reason. */
const FINDING_TYPE = /^[A-Za-z0-9]+:[A-Za-z0-9]+\/[A-Za-z0-9.!_-]+$/;

/** The action for a GuardDuty finding's facts, with a note saying why. */
export function guardDutyAction(facts: Record<string, unknown>): { action?: RemediationActionId; note: string } {
  const type =
    typeof facts.findingType === "string" && FINDING_TYPE.test(facts.findingType) ? facts.findingType : undefined;
  if (!type) return { note: "the GuardDuty finding type is missing or malformed: notify only" };
  for (const mapping of MAPPINGS) {
    if (!mapping.pattern.test(type)) continue;
    const action = typeof mapping.action === "function" ? mapping.action(facts) : mapping.action;
    if (action) return { action, note: `GuardDuty ${type}: ${mapping.what}` };
    return {
      note: `GuardDuty ${type}: no remediation applies (${mapping.without ?? "nothing to act on"}): notify only`,
    };
  }
  return { note: `GuardDuty ${type} has no matching remediation: notify only` };
}
