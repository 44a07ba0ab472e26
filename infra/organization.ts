import { REMEDIATION_ACTION_IDS, type RemediationActionId } from "../core/model/actions.js";
import { policyFor } from "../core/remediation/permissions.js";
import {
  type AccessStatement,
  neverChangeProtected,
  type ProtectionTag,
  toolIdentityArns,
  withSelfProtection,
} from "./access.js";
import { FUNCTION_SPECS } from "./functions.js";
import { roleName } from "./names.js";
import { type PolicyDocument, policyDocument } from "./policy.js";
import type { DeployedRule } from "./rules.js";

/**
 * Org-wide mode: member accounts of one AWS Organization forward their events to a central bus in
 * the deployment account (where the same rules run), and remediation in a member account goes
 * through a role there that the remediation functions assume with an external id. The stacks
 * create the bus and its policy; these documents are what each member account needs, printed as
 * stack outputs.
 */

/** The central bus's resource policy: any principal of the organization may put events on it. */
export function organizationBusPolicy(busArn: string, organizationId: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "OrganizationMembersPutEvents",
        Effect: "Allow",
        Principal: "*",
        Action: "events:PutEvents",
        Resource: busArn,
        Condition: { StringEquals: { "aws:PrincipalOrgID": organizationId } },
      },
    ],
  };
}

function detailTypesIn(pattern: unknown, into: Set<string>): void {
  if (Array.isArray(pattern)) {
    for (const item of pattern) detailTypesIn(item, into);
    return;
  }
  if (pattern === null || typeof pattern !== "object") return;
  for (const [key, value] of Object.entries(pattern)) {
    if (key === "detail-type" && Array.isArray(value)) {
      for (const type of value) if (typeof type === "string") into.add(type);
    } else detailTypesIn(value, into);
  }
}

/**
 * The pattern of the forwarding rule in each member account: every AWS event type some deployed
 * rule matches (Riposte's own log sources never travel through EventBridge).
 */
export function memberForwardingPattern(rules: readonly DeployedRule[]): {
  source: unknown[];
  "detail-type": string[];
} {
  const types = new Set<string>();
  for (const rule of rules) detailTypesIn(JSON.parse(rule.pattern), types);
  return { source: [{ prefix: "aws." }], "detail-type": [...types].sort() };
}

/**
 * The state of the forwarding rule in each member account: read-only calls (Get/List/Describe)
 * reach a rule only in the `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS` state, so members must
 * forward them whenever a central rule wants them.
 */
export function memberForwardingRuleState(
  rules: readonly DeployedRule[],
): "ENABLED" | "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" {
  return rules.some((rule) => rule.readOnlyEvents) ? "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" : "ENABLED";
}

/**
 * The permissions of the role the member's forwarding rule sends with (EventBridge needs one for
 * a bus in another account of an organization): putting events on the central bus, nothing else.
 * Its trust policy lets `events.amazonaws.com` assume it, for the member account only.
 */
export function memberForwardingRolePolicy(busArn: string) {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "ForwardToRiposte", Effect: "Allow", Action: "events:PutEvents", Resource: busArn }],
  };
}

/** The functions that act in member accounts through the member role: remediate, verify, sweep. */
export const MEMBER_ROLE_USERS = ["remediate", "verify", "sweep"] as const;

/** The ARNs of the roles the member role trusts: those functions' roles in the deployment account. */
export function memberRoleTrustedRoles(where: {
  partition: string;
  account: string;
  region: string;
  stage: string;
  toolRolePrefix: string;
}): string[] {
  return MEMBER_ROLE_USERS.map(
    (fn) =>
      `arn:${where.partition}:iam::${where.account}:role/${roleName(where.toolRolePrefix, where.stage, where.region, FUNCTION_SPECS[fn].logicalName)}`,
  );
}

/** The member role's trust policy: only Riposte's remediation roles, only with the external id. */
export function memberRoleTrustPolicy(remediationRoleArns: readonly string[], externalId: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { AWS: [...remediationRoleArns] },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "sts:ExternalId": externalId } },
      },
    ],
  };
}

/**
 * The member role's permissions: the declared permissions of the remediation actions the
 * configuration can run (`actionsInUse`), no wildcard actions, none of its IAM writes on a role
 * or user named with the tool's prefix (itself included) in that account, and none of its writes
 * on a resource carrying the protection tag.
 */
export function memberRolePolicy(
  actions: readonly RemediationActionId[] | undefined,
  self: { partition: string; toolRolePrefix: string; protectionTag: ProtectionTag },
): PolicyDocument {
  const allowed: AccessStatement[] = policyFor(actions).Statement.map((s) => ({
    sid: s.Sid,
    actions: s.Action,
    resources: ["*"],
    ...(s.Condition ? { condition: s.Condition } : {}),
  }));
  const protectedToo = neverChangeProtected(actions ?? REMEDIATION_ACTION_IDS, self.protectionTag);
  return policyDocument(withSelfProtection([...allowed, ...protectedToo]), (ref) =>
    ref === "toolIdentities" ? toolIdentityArns(self.partition, self.toolRolePrefix) : undefined,
  );
}
