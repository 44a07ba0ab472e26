import type { RemediationActionId } from "../core/model/actions.js";
import type { RemediationMode } from "../core/model/incident.js";
import { OPERATIONS } from "../core/remediation/aws/operations.js";
import { permissionsFor } from "../core/remediation/permissions.js";

/**
 * What each deployed function may do, generated from what it does: an IAM statement per kind of
 * access (read the store, publish alerts, start workflows…), each naming its actions exactly —
 * never a `*` action. Resources are named by reference (`table`, `stateMachines`…) and resolved
 * to ARNs by the stacks; `*` is used only where IAM offers no resource-level permission or the
 * targets are only known per incident (remediation). Links carry data only: every permission a
 * function has is listed here, and tests check each SDK command the functions send against it.
 */

export const DEPLOYED_FUNCTIONS = [
  "open",
  "enrich",
  "score",
  "notify",
  "approval",
  "remediate",
  "verify",
  "record",
  "api",
  "slack",
  "slackFollowUp",
  "correlate",
  "wsConnect",
  "wsDisconnect",
  "wsBroadcast",
  "wsHeartbeat",
  "sweep",
  "notices",
] as const;
export type DeployedFunction = (typeof DEPLOYED_FUNCTIONS)[number];

/** The functions a deployment creates: the sweep of expired changes exists only in live mode. */
export function functionsDeployed(mode: RemediationMode): DeployedFunction[] {
  return DEPLOYED_FUNCTIONS.filter((fn) => fn !== "sweep" || mode === "live");
}

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
}

const statement = (
  sid: string,
  actions: string[],
  resources: ResourceRef[],
  condition?: AccessCondition,
): AccessStatement => ({ sid, actions, resources, ...(condition ? { condition } : {}) });

const storeRead = () => statement("ReadStore", ["dynamodb:GetItem", "dynamodb:Query"], ["table", "tableIndexes"]);
const storeWrite = () =>
  statement(
    "WriteStore",
    ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"],
    ["table"],
  );
// SendTask* have no resource type in IAM (the service authorization reference): a statement naming
// the state machines never matches them, and every approval would be refused. The task token, an
// unguessable capability issued by one execution, is what limits which task they complete.
const callbacks = () =>
  statement(
    "CompleteApprovalTasks",
    ["states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"],
    ["*"],
  );
// The Notices schedule only sends decisions a dying Lambda saved (core/approval/resume.ts): success
// only, and on "*" for the same reason as the callbacks above.
const resumeDecisions = () => statement("ResumeApprovalTasks", ["states:SendTaskSuccess"], ["*"]);
const startWorkflows = () => statement("StartWorkflows", ["states:StartExecution"], ["stateMachines"]);
const readExecutions = () =>
  statement(
    "ReadExecutions",
    ["states:DescribeExecution", "states:GetExecutionHistory", "states:DescribeStateMachineForExecution"],
    ["executions"],
  );
// Intake events and findings to start again go through the correlate queue.
const queueEvents = () => statement("QueueForCorrelation", ["sqs:SendMessage"], ["correlateQueue"]);
const manageConnections = () =>
  statement("PostToDashboards", ["execute-api:ManageConnections"], ["realtimeConnections"]);

function publish(context: AccessContext): AccessStatement[] {
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

function live(context: AccessContext, statements: () => AccessStatement[]): AccessStatement[] {
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
const describeGroups = () =>
  statement("DescribeNetwork", ["ec2:DescribeSecurityGroups", "ec2:DescribeNetworkInterfaces"], ["*"]);
const describeBuckets = () =>
  statement(
    "DescribeBuckets",
    ["s3:GetBucketTagging", "s3:GetBucketPolicyStatus", "s3:GetBucketPublicAccessBlock"],
    ["*"],
  );

/** The statements of a function's policy, in a stable order; IAM writers never on Riposte's own identities. */
export function accessFor(fn: DeployedFunction, context: AccessContext): AccessStatement[] {
  return withSelfProtection(grantsOf(fn, context));
}

function grantsOf(fn: DeployedFunction, context: AccessContext): AccessStatement[] {
  switch (fn) {
    case "open":
      return [storeRead(), storeWrite(), callbacks()];
    case "enrich":
      return [storeRead(), ...live(context, () => [describeGroups(), describeBuckets()])];
    case "score":
    case "record":
      return [storeRead(), storeWrite()];
    case "notify":
      return [storeRead(), storeWrite(), ...publish(context)];
    case "notices":
      return [storeRead(), storeWrite(), ...publish(context), resumeDecisions()];
    // An incident already final when approval is asked for completes its own task (core/approval/request.ts).
    case "approval":
      return [storeRead(), storeWrite(), ...publish(context), callbacks()];
    case "remediate":
      return [
        storeRead(),
        storeWrite(),
        ...live(context, () =>
          context.actions.length > 0
            ? [statement("Remediate", permissionsFor(context.actions), ["*"]), ...assumeMemberRole(context)]
            : [],
        ),
      ];
    case "verify":
      return [
        storeRead(),
        storeWrite(),
        ...live(context, () =>
          context.actions.length > 0
            ? [statement("ReadBack", remediationReads(context.actions), ["*"]), ...assumeMemberRole(context)]
            : [],
        ),
      ];
    case "sweep":
      return [
        storeRead(),
        storeWrite(),
        ...live(context, () =>
          context.actions.includes("iam-deny-temporarily")
            ? [
                statement("RemoveExpiredDenies", ["iam:GetUserPolicy", "iam:DeleteUserPolicy"], ["*"]),
                ...assumeMemberRole(context),
              ]
            : [],
        ),
      ];
    case "api":
      return [storeRead(), storeWrite(), callbacks(), readExecutions(), queueEvents()];
    case "slack":
      return [
        storeRead(),
        storeWrite(),
        callbacks(),
        statement("QueueSlackFollowUps", ["sqs:SendMessage"], ["slackFollowUps"]),
      ];
    case "slackFollowUp":
      return [
        storeRead(),
        storeWrite(),
        statement(
          "ConsumeSlackFollowUps",
          ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
          ["slackFollowUps"],
        ),
      ];
    case "correlate":
      return [
        storeRead(),
        storeWrite(),
        startWorkflows(),
        statement(
          "ConsumeCandidates",
          ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
          ["correlateQueue"],
        ),
        queueEvents(),
        ...live(context, () => [describeGroups()]),
      ];
    case "wsConnect":
      return [statement("RegisterConnection", ["dynamodb:PutItem"], ["table"])];
    case "wsDisconnect":
      return [statement("ForgetConnection", ["dynamodb:DeleteItem"], ["table"])];
    case "wsBroadcast":
      return [
        statement("ListConnections", ["dynamodb:Query", "dynamodb:DeleteItem"], ["table"]),
        statement(
          "ReadTableStream",
          ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
          ["tableStream"],
        ),
        // The event source mapping also lists streams, which IAM authorises on `*` only.
        statement("ListTableStreams", ["dynamodb:ListStreams"], ["*"]),
        manageConnections(),
      ];
    case "wsHeartbeat":
      return [statement("ListConnections", ["dynamodb:Query", "dynamodb:DeleteItem"], ["table"]), manageConnections()];
  }
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

/** The ARNs `toolIdentities` stands for: every role and user whose name starts with the prefix, in any account. */
export function toolIdentityArns(partition: string, toolRolePrefix: string): string[] {
  return [`arn:${partition}:iam::*:role/${toolRolePrefix}*`, `arn:${partition}:iam::*:user/${toolRolePrefix}*`];
}

/** Every action a set of statements allows, sorted and unique (Deny statements take nothing away here). */
export function actionsOf(statements: readonly AccessStatement[]): string[] {
  return [...new Set(statements.filter((s) => s.effect !== "Deny").flatMap((s) => s.actions))].sort();
}
