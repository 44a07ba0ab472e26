import type { RemediationActionId } from "../core/model/actions.js";
import type { RemediationMode } from "../core/model/incident.js";
import { OPERATIONS } from "../core/remediation/aws/operations.js";
import { passedTo, passRoleServicesFor, permissionsFor } from "../core/remediation/permissions.js";

/**
 * The kinds of access a deployed function may be given, each an IAM statement naming its actions
 * exactly — never a `*` action: read the store, publish alerts, start workflows… Each function's
 * declaration (`infra/functions.ts`) lists the kinds it needs, generated from what it does.
 * Resources are named by reference (`table`, `stateMachines`…) and resolved to ARNs by the stacks;
 * `*` is used only where IAM offers no resource-level permission or the targets are only known
 * per incident (remediation). Links carry data only: every permission a function has is listed
 * there, and tests check each SDK command the functions send against it. Also here: the service
 * roles' policies and the Deny that keeps remediation off Riposte's own identities.
 */

/** A resource a statement applies to, resolved to ARNs by the stacks. */
export type ResourceRef =
  | "table"
  | "tableIndexes"
  | "tableStream"
  | "alertsTopic"
  | "alertsKey"
  | "stateMachines"
  | "executions"
  | "taskFunctions"
  | "correlateQueue"
  | "slackFollowUps"
  | "realtimeConnections"
  | "memberRoles"
  | "toolIdentities"
  /** The account's default Security Hub product (custom integration): where incidents are imported. */
  | "securityHubProduct"
  /** The account's Security Hub hub, which BatchUpdateFindings is authorised on. */
  | "securityHubHub"
  | "*";

/** A condition block as IAM writes it: operator → context key → values. */
export type AccessCondition = Record<string, Record<string, string[]>>;

export interface AccessStatement {
  sid: string;
  /** Absent: Allow. */
  effect?: "Deny";
  actions: string[];
  resources: ResourceRef[];
  condition?: AccessCondition;
}

export interface AccessContext {
  /** Remediation mode deployed: only `live` reads or changes anything outside Riposte. */
  mode: RemediationMode;
  /** The alerts topic is KMS-encrypted: publishers need the key. */
  encryptAlerts: boolean;
  /** Remediation acts in member accounts through an assumed role. */
  crossAccount: boolean;
  /** The organization those accounts belong to (`aws.organization.id`): roles outside it are never assumed. */
  organizationId?: string;
  /** The remediation actions the configuration can run (`actionsInUse`): only theirs are granted. */
  actions: readonly RemediationActionId[];
  /** `securityHub.export`: incidents are imported into Security Hub and their workflow status kept in step. */
  securityHubExport?: boolean;
  /** `protection.tag`: resources carrying it are never changed by remediation (also denied in IAM). */
  protectionTag: ProtectionTag;
}

/** A resource tag (`protection.tag`) that keeps remediation off a resource. */
export interface ProtectionTag {
  key: string;
  value: string;
}

const statement = (
  sid: string,
  actions: string[],
  resources: ResourceRef[],
  condition?: AccessCondition,
): AccessStatement => ({ sid, actions, resources, ...(condition ? { condition } : {}) });

export const storeRead = () =>
  statement("ReadStore", ["dynamodb:GetItem", "dynamodb:Query"], ["table", "tableIndexes"]);
export const storeWrite = () =>
  statement(
    "WriteStore",
    ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"],
    ["table"],
  );
// SendTask* have no resource type in IAM (the service authorization reference): a statement naming
// the state machines never matches them, and every approval would be refused. The task token, an
// unguessable capability issued by one execution, is what limits which task they complete.
export const callbacks = () =>
  statement(
    "CompleteApprovalTasks",
    ["states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"],
    ["*"],
  );
// The Notices schedule only sends decisions a dying Lambda saved (core/approval/resume.ts): success
// only, and on "*" for the same reason as the callbacks above.
export const resumeDecisions = () => statement("ResumeApprovalTasks", ["states:SendTaskSuccess"], ["*"]);
// "Was this you?" reads the acting IAM user's tags to find whom to ask (core/confirm/actor.ts).
// ListUserTags takes user ARNs as resources, but the users are any of the account's: "*".
export const readUserTags = () => statement("ReadActorTags", ["iam:ListUserTags"], ["*"]);
export const startWorkflows = () => statement("StartWorkflows", ["states:StartExecution"], ["stateMachines"]);
export const readExecutions = () =>
  statement(
    "ReadExecutions",
    ["states:DescribeExecution", "states:GetExecutionHistory", "states:DescribeStateMachineForExecution"],
    ["executions"],
  );
// Intake events and findings to start again go through the correlate queue.
export const queueEvents = () => statement("QueueForCorrelation", ["sqs:SendMessage"], ["correlateQueue"]);
export const manageConnections = () =>
  statement("PostToDashboards", ["execute-api:ManageConnections"], ["realtimeConnections"]);

export function publish(context: AccessContext): AccessStatement[] {
  return [
    statement("PublishAlerts", ["sns:Publish"], ["alertsTopic"]),
    ...(context.encryptAlerts
      ? [statement("EncryptAlerts", ["kms:GenerateDataKey", "kms:Decrypt"], ["alertsKey"])]
      : []),
  ];
}

/** Read calls of the remediation actions (what verification sends), from the operations table. */
function remediationReads(actions: readonly RemediationActionId[]): string[] {
  const reads = new Set<string>();
  for (const operations of Object.values(OPERATIONS)) {
    for (const operation of Object.values(operations)) if (!operation.write && operation.iam) reads.add(operation.iam);
  }
  return permissionsFor(actions).filter((permission) => reads.has(permission));
}

/** `statements` in live mode only: a dry run reads and changes nothing outside Riposte. */
export function live(context: AccessContext, statements: () => AccessStatement[]): AccessStatement[] {
  return context.mode === "live" ? statements() : [];
}

// The member role's name is the same in every account: only accounts of the organization count.
function assumeMemberRole(context: AccessContext): AccessStatement[] {
  if (!context.crossAccount) return [];
  if (!context.organizationId) throw new Error("aws.organization.id is required to assume member-account roles");
  return [
    statement("AssumeMemberRole", ["sts:AssumeRole"], ["memberRoles"], {
      StringEquals: { "aws:ResourceOrgID": [context.organizationId] },
    }),
  ];
}

// Live lookups for detections (security group tags, interface groups) and for enrichment.
export const describeGroups = () =>
  statement("DescribeNetwork", ["ec2:DescribeSecurityGroups", "ec2:DescribeNetworkInterfaces"], ["*"]);
export const describeBuckets = () =>
  statement(
    "DescribeBuckets",
    ["s3:GetBucketTagging", "s3:GetBucketPolicyStatus", "s3:GetBucketPublicAccessBlock"],
    ["*"],
  );

/** Live remediation: the calls of the actions the configuration can run, in member accounts too. */
export function remediation(context: AccessContext): AccessStatement[] {
  return live(context, () =>
    context.actions.length > 0
      ? [
          statement("Remediate", permissionsFor(context.actions), ["*"]),
          ...passRole(context.actions),
          ...neverChangeProtected(context.actions, context.protectionTag),
          ...assumeMemberRole(context),
        ]
      : [],
  );
}

/** Actions that only read, by their verb (what a snapshot or a guardrail's tag lookup sends). */
const READ_VERB = /^[\w-]+:(Get|List|Describe|Head|Lookup|Search|Simulate|Generate)/;

/**
 * The permissions of `actions` that change something: every declared permission that is neither a
 * read of the operations table nor named with a read verb.
 */
export function remediationWrites(actions: readonly RemediationActionId[]): string[] {
  const reads = new Set(remediationReads(actions));
  return permissionsFor(actions).filter((permission) => !reads.has(permission) && !READ_VERB.test(permission));
}

/**
 * The protection tag, in IAM as well as in code: remediation refuses a resource tagged
 * `protection.tag` (core/remediation/guardrails.ts, case-insensitively); this Deny makes AWS refuse
 * the same writes on such a resource should that check ever be bypassed. It takes effect where the
 * service evaluates `aws:ResourceTag` for the action (EC2, IAM roles and users, Lambda, KMS, SNS,
 * SQS, Secrets Manager, RDS…); where it does not, the key is absent and the Deny does not apply,
 * so the check in code stays the first line. Reads are left out: the guardrails read the tags.
 */
export function neverChangeProtected(actions: readonly RemediationActionId[], tag: ProtectionTag): AccessStatement[] {
  const writes = remediationWrites(actions);
  if (writes.length === 0) return [];
  return [
    {
      sid: "NeverChangeProtectedResources",
      effect: "Deny",
      actions: writes,
      resources: ["*"],
      condition: { StringEqualsIgnoreCase: { [`aws:ResourceTag/${tag.key}`]: [tag.value] } },
    },
  ];
}

/** iam:PassRole for the actions that hand an existing role back to a service, to those services only. */
function passRole(actions: readonly RemediationActionId[]): AccessStatement[] {
  const services = passRoleServicesFor(actions);
  return services.length > 0 ? [statement("RemediatePassRole", ["iam:PassRole"], ["*"], passedTo(services))] : [];
}

/** Live verification: the read calls of those actions, to read every target back. */
export function readBack(context: AccessContext): AccessStatement[] {
  return live(context, () =>
    context.actions.length > 0
      ? [statement("ReadBack", remediationReads(context.actions), ["*"]), ...assumeMemberRole(context)]
      : [],
  );
}

/** Live sweep: remove the temporary deny policies whose time is up (only where they can be put). */
export function removeExpiredDenies(context: AccessContext): AccessStatement[] {
  return live(context, () =>
    context.actions.includes("iam-deny-temporarily")
      ? [
          statement("RemoveExpiredDenies", ["iam:GetUserPolicy", "iam:DeleteUserPolicy"], ["*"]),
          ...assumeMemberRole(context),
        ]
      : [],
  );
}

const consumeQueue = (sid: string, queue: ResourceRef) =>
  statement(
    sid,
    ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
    [queue],
  );
export const consumeCandidates = () => consumeQueue("ConsumeCandidates", "correlateQueue");
export const queueSlackFollowUps = () => statement("QueueSlackFollowUps", ["sqs:SendMessage"], ["slackFollowUps"]);
export const consumeSlackFollowUps = () => consumeQueue("ConsumeSlackFollowUps", "slackFollowUps");

// The dashboards' WebSocket connections: registered, forgotten, listed (and pruned when gone).
export const registerConnection = () => statement("RegisterConnection", ["dynamodb:PutItem"], ["table"]);
export const forgetConnection = () => statement("ForgetConnection", ["dynamodb:DeleteItem"], ["table"]);
export const listConnections = () => statement("ListConnections", ["dynamodb:Query", "dynamodb:DeleteItem"], ["table"]);
export const readTableStream = () =>
  statement(
    "ReadTableStream",
    ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
    ["tableStream"],
  );
// The event source mapping also lists streams, which IAM authorises on `*` only.
export const listTableStreams = () => statement("ListTableStreams", ["dynamodb:ListStreams"], ["*"]);

/**
 * Security Hub export (`securityHub.export` only): import findings under the account's default
 * product, and move their workflow status. Nothing is granted when the export is off.
 */
export function exportToSecurityHub(context: AccessContext): AccessStatement[] {
  if (!context.securityHubExport) return [];
  return [
    statement("ImportSecurityHubFindings", ["securityhub:BatchImportFindings"], ["securityHubProduct"]),
    statement("UpdateSecurityHubWorkflow", ["securityhub:BatchUpdateFindings"], ["securityHubHub"]),
  ];
}

/** The role Step Functions runs the workflows with: invoke exactly the task functions, log, trace. */
export function workflowRoleAccess(): AccessStatement[] {
  return [
    statement("InvokeTaskFunctions", ["lambda:InvokeFunction"], ["taskFunctions"]),
    // Vended log delivery and X-Ray have no resource-level permissions (Step Functions' documented policy).
    statement(
      "DeliverLogs",
      [
        "logs:CreateLogDelivery",
        "logs:GetLogDelivery",
        "logs:UpdateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries",
        "logs:PutResourcePolicy",
        "logs:DescribeResourcePolicies",
        "logs:DescribeLogGroups",
      ],
      ["*"],
    ),
    statement(
      "Trace",
      ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"],
      ["*"],
    ),
  ];
}

/** The role EventBridge starts workflows with (stateless rules). */
export function rulesRoleAccess(): AccessStatement[] {
  return [startWorkflows()];
}

/** IAM's read and list operations; every other IAM action changes an identity or its permissions. */
const IAM_READ = /^iam:(Get|List|Simulate|Generate)/;

/** The IAM actions of `statements` that change identities (remediation's user policies, keys…). */
export function iamWritesOf(statements: readonly AccessStatement[]): string[] {
  return actionsOf(statements.filter((s) => s.effect !== "Deny")).filter(
    (action) => action.startsWith("iam:") && !IAM_READ.test(action),
  );
}

/**
 * A role that may change IAM identities must not change Riposte's own: otherwise remediation
 * (or whoever steers it with a crafted event) could rewrite its own permissions, or another
 * Riposte role's. The Deny names exactly the IAM writes the role was allowed, on every role and
 * user named with the tool's prefix (`toolIdentities`), and an explicit Deny wins over any Allow.
 */
export function withSelfProtection(statements: readonly AccessStatement[]): AccessStatement[] {
  const writes = iamWritesOf(statements);
  if (writes.length === 0) return [...statements];
  return [
    ...statements,
    { sid: "NeverChangeRiposteIdentities", effect: "Deny", actions: writes, resources: ["toolIdentities"] },
  ];
}

/**
 * The ARNs `toolIdentities` stands for: every role, user and group whose name starts with the
 * prefix, in any account (groups: remediation may detach and delete group policies).
 */
export function toolIdentityArns(partition: string, toolRolePrefix: string): string[] {
  return [
    `arn:${partition}:iam::*:role/${toolRolePrefix}*`,
    `arn:${partition}:iam::*:user/${toolRolePrefix}*`,
    `arn:${partition}:iam::*:group/${toolRolePrefix}*`,
  ];
}

/** Every action a set of statements allows, sorted and unique (Deny statements take nothing away here). */
export function actionsOf(statements: readonly AccessStatement[]): string[] {
  return [...new Set(statements.filter((s) => s.effect !== "Deny").flatMap((s) => s.actions))].sort();
}
