import { z } from "zod";

/**
 * The facts a finding hands to remediation, per kind of target. Detections fill them from the
 * events; remediation actions read them (and re-check live before acting). Every schema is
 * lenient on extra keys: facts are evidence, not a closed form.
 */

/** One security group rule as CloudTrail records it, normalized. */
export const SgRuleSchema = z.object({
  /** `sgr-…` when known (AuthorizeSecurityGroupIngress responses, ModifySecurityGroupRules). */
  ruleId: z.string().optional(),
  /** `tcp`, `udp`, `icmp`, `-1` (all)… */
  ipProtocol: z.string(),
  fromPort: z.number().int().optional(),
  toPort: z.number().int().optional(),
  cidrIpv4: z.string().optional(),
  cidrIpv6: z.string().optional(),
  description: z.string().optional(),
  /** Egress rules are recorded but world-open risk is judged on ingress. */
  egress: z.boolean().optional(),
});
export type SgRule = z.infer<typeof SgRuleSchema>;

export const NetworkFactsSchema = z
  .object({
    groupId: z.string(),
    groupName: z.string().optional(),
    vpcId: z.string().optional(),
    /** The offending world-open rules (what remediation revokes, and nothing else). */
    rules: z.array(SgRuleSchema),
    /** Risky ports the rules expose. */
    riskyPorts: z.array(z.number().int()).optional(),
    tags: z.record(z.string(), z.string()).optional(),
    instanceIds: z.array(z.string()).optional(),
    networkInterfaceIds: z.array(z.string()).optional(),
  })
  .passthrough();
export type NetworkFacts = z.infer<typeof NetworkFactsSchema>;

export const StorageFactsSchema = z
  .object({
    bucket: z.string(),
    /** Object key, for object ACL findings. */
    key: z.string().optional(),
    /** The bucket policy the event set (JSON text), and the last one known before it. */
    policy: z.string().optional(),
    previousPolicy: z.string().optional(),
    /** True when the account-level public access block was changed (S3 Control). */
    accountLevel: z.boolean().optional(),
    /** The ACL grants or canned ACL the event set. */
    acl: z.unknown().optional(),
    cors: z.unknown().optional(),
    previousCors: z.unknown().optional(),
  })
  .passthrough();
export type StorageFacts = z.infer<typeof StorageFactsSchema>;

export const IdentityFactsSchema = z
  .object({
    /** CloudTrail `userIdentity.type`: Root, IAMUser, AssumedRole, FederatedUser, AWSService… */
    principalType: z.string(),
    principalArn: z.string().optional(),
    userName: z.string().optional(),
    /** For assumed roles: the role's name (from `sessionContext.sessionIssuer`). */
    roleName: z.string().optional(),
    accessKeyId: z.string().optional(),
    /** The user a credential change or key creation targeted (may differ from the actor). */
    targetUserName: z.string().optional(),
    mfaUsed: z.boolean().optional(),
  })
  .passthrough();
export type IdentityFacts = z.infer<typeof IdentityFactsSchema>;

export const LoggingFactsSchema = z
  .object({
    /** CloudTrail tampering: the trail name or ARN and what was done to it. */
    trailName: z.string().optional(),
    trailArn: z.string().optional(),
    eventName: z.string().optional(),
    /** Web scanning: the client to block. */
    clientIp: z.string().optional(),
    requests: z.number().int().optional(),
    errorRatio: z.number().optional(),
    userAgent: z.string().optional(),
  })
  .passthrough();
export type LoggingFacts = z.infer<typeof LoggingFactsSchema>;

export const ThreatFactsSchema = z
  .object({
    findingId: z.string(),
    findingType: z.string(),
    resourceType: z.string().optional(),
    instanceId: z.string().optional(),
    accessKeyId: z.string().optional(),
    userName: z.string().optional(),
    bucket: z.string().optional(),
    remoteIp: z.string().optional(),
    /** GuardDuty's own 0.1–8.9 severity. */
    guardDutySeverity: z.number().optional(),
  })
  .passthrough();
export type ThreatFacts = z.infer<typeof ThreatFactsSchema>;
