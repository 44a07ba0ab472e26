import {
  GetTrailCommand,
  GetTrailStatusCommand,
  ListTagsCommand as ListTrailTagsCommand,
  StartLoggingCommand,
} from "@aws-sdk/client-cloudtrail";
import {
  DescribeConfigurationRecorderStatusCommand,
  DescribeConfigurationRecordersCommand,
  GetResourceConfigHistoryCommand,
  ListTagsForResourceCommand as ListConfigTagsCommand,
  StartConfigurationRecorderCommand,
} from "@aws-sdk/client-config-service";
import {
  CreateNetworkAclEntryCommand,
  DeleteNetworkAclEntryCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeNetworkAclsCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  EnableEbsEncryptionByDefaultCommand,
  GetEbsEncryptionByDefaultCommand,
  GetSnapshotBlockPublicAccessStateCommand,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
  ReplaceNetworkAclEntryCommand,
  RevokeSecurityGroupIngressCommand,
  StopInstancesCommand,
} from "@aws-sdk/client-ec2";
import {
  DeleteRepositoryPolicyCommand,
  GetRepositoryPolicyCommand,
  ListTagsForResourceCommand as ListEcrTagsCommand,
  SetRepositoryPolicyCommand,
} from "@aws-sdk/client-ecr";
import {
  DescribeRuleCommand,
  EnableRuleCommand,
  ListTagsForResourceCommand as ListEventsTagsCommand,
  PutRuleCommand,
} from "@aws-sdk/client-eventbridge";
import {
  DeleteFilterCommand,
  GetDetectorCommand,
  GetFilterCommand,
  GetIPSetCommand as GetGuardDutyIPSetCommand,
  ListDetectorsCommand,
  UpdateDetectorCommand,
  UpdateIPSetCommand as UpdateGuardDutyIPSetCommand,
} from "@aws-sdk/client-guardduty";
import {
  DeleteGroupPolicyCommand,
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetAccessKeyLastUsedCommand,
  GetGroupCommand,
  GetGroupPolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
  UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import {
  CancelKeyDeletionCommand,
  DescribeKeyCommand,
  EnableKeyCommand,
  GetKeyPolicyCommand,
  ListResourceTagsCommand,
  PutKeyPolicyCommand,
} from "@aws-sdk/client-kms";
import {
  GetFunctionCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand as GetLambdaPolicyCommand,
  ListTagsCommand as ListLambdaTagsCommand,
  RemovePermissionCommand,
  UpdateFunctionUrlConfigCommand,
} from "@aws-sdk/client-lambda";
import {
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotAttributesCommand,
  DescribeDBSnapshotsCommand,
  ModifyDBClusterCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  ModifyDBInstanceCommand,
  ModifyDBSnapshotAttributeCommand,
} from "@aws-sdk/client-rds";
import {
  CancelDomainTransferToAnotherAwsAccountCommand,
  EnableDomainTransferLockCommand,
  GetDomainDetailCommand,
  ListOperationsCommand,
  ListTagsForDomainCommand,
} from "@aws-sdk/client-route-53-domains";
import {
  DeleteBucketCorsCommand,
  DeleteBucketPolicyCommand,
  DeleteBucketReplicationCommand,
  DeleteBucketWebsiteCommand,
  GetBucketAclCommand,
  GetBucketCorsCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetBucketReplicationCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetBucketWebsiteCommand,
  GetObjectAclCommand,
  GetPublicAccessBlockCommand,
  PutBucketAclCommand,
  PutBucketCorsCommand,
  PutBucketPolicyCommand,
  PutBucketReplicationCommand,
  PutBucketVersioningCommand,
  PutObjectAclCommand,
  PutPublicAccessBlockCommand,
} from "@aws-sdk/client-s3";
import {
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  PutPublicAccessBlockCommand as PutAccountPublicAccessBlockCommand,
} from "@aws-sdk/client-s3-control";
import {
  DeleteResourcePolicyCommand,
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  PutResourcePolicyCommand,
} from "@aws-sdk/client-secrets-manager";
import {
  BatchEnableStandardsCommand,
  DescribeHubCommand,
  EnableSecurityHubCommand,
  GetEnabledStandardsCommand,
  ListTagsForResourceCommand as ListSecurityHubTagsCommand,
} from "@aws-sdk/client-securityhub";
import {
  GetTopicAttributesCommand,
  ListTagsForResourceCommand as ListSnsTagsCommand,
  SetTopicAttributesCommand,
} from "@aws-sdk/client-sns";
import { GetQueueAttributesCommand, ListQueueTagsCommand, SetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { GetIPSetCommand, UpdateIPSetCommand } from "@aws-sdk/client-wafv2";

/**
 * Every AWS operation remediation may send, with the SDK command that sends it and the IAM
 * action that authorises it. Calls are data (`AwsCall`: service, operation, params), so a dry-run
 * records exactly what a live run sends, and the IAM policy is generated from this table. The IAM
 * names differ from the operation names in places (S3 public access block, CORS), per the S3
 * and IAM service authorization references.
 */

interface Operation {
  /** The SDK command class (each takes its own input type). */
  command: new (
    input: never,
  ) => unknown;
  /** The IAM action the call needs; null for calls every principal may make. */
  iam: string | null;
  /** Whether the call changes anything (dry-run records these instead of sending them). */
  write: boolean;
}

function read<C>(command: C, iam: string | null) {
  return { command, iam, write: false } as const;
}

function write<C>(command: C, iam: string) {
  return { command, iam, write: true } as const;
}

export const OPERATIONS = {
  ec2: {
    DescribeSecurityGroupRules: read(DescribeSecurityGroupRulesCommand, "ec2:DescribeSecurityGroupRules"),
    DescribeSecurityGroups: read(DescribeSecurityGroupsCommand, "ec2:DescribeSecurityGroups"),
    DescribeInstances: read(DescribeInstancesCommand, "ec2:DescribeInstances"),
    DescribeNetworkAcls: read(DescribeNetworkAclsCommand, "ec2:DescribeNetworkAcls"),
    RevokeSecurityGroupIngress: write(RevokeSecurityGroupIngressCommand, "ec2:RevokeSecurityGroupIngress"),
    CreateNetworkAclEntry: write(CreateNetworkAclEntryCommand, "ec2:CreateNetworkAclEntry"),
    DeleteNetworkAclEntry: write(DeleteNetworkAclEntryCommand, "ec2:DeleteNetworkAclEntry"),
    ReplaceNetworkAclEntry: write(ReplaceNetworkAclEntryCommand, "ec2:ReplaceNetworkAclEntry"),
    StopInstances: write(StopInstancesCommand, "ec2:StopInstances"),
    GetEbsEncryptionByDefault: read(GetEbsEncryptionByDefaultCommand, "ec2:GetEbsEncryptionByDefault"),
    EnableEbsEncryptionByDefault: write(EnableEbsEncryptionByDefaultCommand, "ec2:EnableEbsEncryptionByDefault"),
    DescribeSnapshots: read(DescribeSnapshotsCommand, "ec2:DescribeSnapshots"),
    DescribeSnapshotAttribute: read(DescribeSnapshotAttributeCommand, "ec2:DescribeSnapshotAttribute"),
    ModifySnapshotAttribute: write(ModifySnapshotAttributeCommand, "ec2:ModifySnapshotAttribute"),
    GetSnapshotBlockPublicAccessState: read(
      GetSnapshotBlockPublicAccessStateCommand,
      "ec2:GetSnapshotBlockPublicAccessState",
    ),
    DescribeImages: read(DescribeImagesCommand, "ec2:DescribeImages"),
    DescribeImageAttribute: read(DescribeImageAttributeCommand, "ec2:DescribeImageAttribute"),
    ModifyImageAttribute: write(ModifyImageAttributeCommand, "ec2:ModifyImageAttribute"),
  },
  s3: {
    GetPublicAccessBlock: read(GetPublicAccessBlockCommand, "s3:GetBucketPublicAccessBlock"),
    PutPublicAccessBlock: write(PutPublicAccessBlockCommand, "s3:PutBucketPublicAccessBlock"),
    GetBucketPolicy: read(GetBucketPolicyCommand, "s3:GetBucketPolicy"),
    GetBucketPolicyStatus: read(GetBucketPolicyStatusCommand, "s3:GetBucketPolicyStatus"),
    PutBucketPolicy: write(PutBucketPolicyCommand, "s3:PutBucketPolicy"),
    DeleteBucketPolicy: write(DeleteBucketPolicyCommand, "s3:DeleteBucketPolicy"),
    GetBucketAcl: read(GetBucketAclCommand, "s3:GetBucketAcl"),
    PutBucketAcl: write(PutBucketAclCommand, "s3:PutBucketAcl"),
    GetObjectAcl: read(GetObjectAclCommand, "s3:GetObjectAcl"),
    PutObjectAcl: write(PutObjectAclCommand, "s3:PutObjectAcl"),
    GetBucketWebsite: read(GetBucketWebsiteCommand, "s3:GetBucketWebsite"),
    DeleteBucketWebsite: write(DeleteBucketWebsiteCommand, "s3:DeleteBucketWebsite"),
    GetBucketCors: read(GetBucketCorsCommand, "s3:GetBucketCORS"),
    PutBucketCors: write(PutBucketCorsCommand, "s3:PutBucketCORS"),
    // DeleteBucketCors is authorised by s3:PutBucketCORS (there is no s3:DeleteBucketCORS).
    DeleteBucketCors: write(DeleteBucketCorsCommand, "s3:PutBucketCORS"),
    GetBucketTagging: read(GetBucketTaggingCommand, "s3:GetBucketTagging"),
    GetBucketVersioning: read(GetBucketVersioningCommand, "s3:GetBucketVersioning"),
    PutBucketVersioning: write(PutBucketVersioningCommand, "s3:PutBucketVersioning"),
    GetBucketReplication: read(GetBucketReplicationCommand, "s3:GetReplicationConfiguration"),
    PutBucketReplication: write(PutBucketReplicationCommand, "s3:PutReplicationConfiguration"),
    // DeleteBucketReplication is authorised by s3:PutReplicationConfiguration (there is no s3:DeleteReplicationConfiguration).
    DeleteBucketReplication: write(DeleteBucketReplicationCommand, "s3:PutReplicationConfiguration"),
  },
  s3control: {
    GetPublicAccessBlock: read(GetAccountPublicAccessBlockCommand, "s3:GetAccountPublicAccessBlock"),
    PutPublicAccessBlock: write(PutAccountPublicAccessBlockCommand, "s3:PutAccountPublicAccessBlock"),
  },
  iam: {
    GetUser: read(GetUserCommand, "iam:GetUser"),
    GetRole: read(GetRoleCommand, "iam:GetRole"),
    GetUserPolicy: read(GetUserPolicyCommand, "iam:GetUserPolicy"),
    GetRolePolicy: read(GetRolePolicyCommand, "iam:GetRolePolicy"),
    PutUserPolicy: write(PutUserPolicyCommand, "iam:PutUserPolicy"),
    PutRolePolicy: write(PutRolePolicyCommand, "iam:PutRolePolicy"),
    DeleteUserPolicy: write(DeleteUserPolicyCommand, "iam:DeleteUserPolicy"),
    ListAccessKeys: read(ListAccessKeysCommand, "iam:ListAccessKeys"),
    GetAccessKeyLastUsed: read(GetAccessKeyLastUsedCommand, "iam:GetAccessKeyLastUsed"),
    UpdateAccessKey: write(UpdateAccessKeyCommand, "iam:UpdateAccessKey"),
    GetGroup: read(GetGroupCommand, "iam:GetGroup"),
    GetGroupPolicy: read(GetGroupPolicyCommand, "iam:GetGroupPolicy"),
    ListAttachedUserPolicies: read(ListAttachedUserPoliciesCommand, "iam:ListAttachedUserPolicies"),
    ListAttachedRolePolicies: read(ListAttachedRolePoliciesCommand, "iam:ListAttachedRolePolicies"),
    ListAttachedGroupPolicies: read(ListAttachedGroupPoliciesCommand, "iam:ListAttachedGroupPolicies"),
    DetachUserPolicy: write(DetachUserPolicyCommand, "iam:DetachUserPolicy"),
    DetachRolePolicy: write(DetachRolePolicyCommand, "iam:DetachRolePolicy"),
    DetachGroupPolicy: write(DetachGroupPolicyCommand, "iam:DetachGroupPolicy"),
    DeleteRolePolicy: write(DeleteRolePolicyCommand, "iam:DeleteRolePolicy"),
    DeleteGroupPolicy: write(DeleteGroupPolicyCommand, "iam:DeleteGroupPolicy"),
    UpdateAssumeRolePolicy: write(UpdateAssumeRolePolicyCommand, "iam:UpdateAssumeRolePolicy"),
  },
  cloudtrail: {
    GetTrail: read(GetTrailCommand, "cloudtrail:GetTrail"),
    GetTrailStatus: read(GetTrailStatusCommand, "cloudtrail:GetTrailStatus"),
    ListTags: read(ListTrailTagsCommand, "cloudtrail:ListTags"),
    StartLogging: write(StartLoggingCommand, "cloudtrail:StartLogging"),
  },
  wafv2: {
    GetIPSet: read(GetIPSetCommand, "wafv2:GetIPSet"),
    UpdateIPSet: write(UpdateIPSetCommand, "wafv2:UpdateIPSet"),
  },
  sts: {
    // Needs no permission: every principal may ask who it is.
    GetCallerIdentity: read(GetCallerIdentityCommand, null),
  },
  guardduty: {
    ListDetectors: read(ListDetectorsCommand, "guardduty:ListDetectors"),
    GetDetector: read(GetDetectorCommand, "guardduty:GetDetector"),
    UpdateDetector: write(UpdateDetectorCommand, "guardduty:UpdateDetector"),
    GetIPSet: read(GetGuardDutyIPSetCommand, "guardduty:GetIPSet"),
    UpdateIPSet: write(UpdateGuardDutyIPSetCommand, "guardduty:UpdateIPSet"),
    GetFilter: read(GetFilterCommand, "guardduty:GetFilter"),
    DeleteFilter: write(DeleteFilterCommand, "guardduty:DeleteFilter"),
  },
  config: {
    DescribeConfigurationRecorders: read(
      DescribeConfigurationRecordersCommand,
      "config:DescribeConfigurationRecorders",
    ),
    DescribeConfigurationRecorderStatus: read(
      DescribeConfigurationRecorderStatusCommand,
      "config:DescribeConfigurationRecorderStatus",
    ),
    GetResourceConfigHistory: read(GetResourceConfigHistoryCommand, "config:GetResourceConfigHistory"),
    ListTagsForResource: read(ListConfigTagsCommand, "config:ListTagsForResource"),
    StartConfigurationRecorder: write(StartConfigurationRecorderCommand, "config:StartConfigurationRecorder"),
  },
  kms: {
    DescribeKey: read(DescribeKeyCommand, "kms:DescribeKey"),
    ListResourceTags: read(ListResourceTagsCommand, "kms:ListResourceTags"),
    CancelKeyDeletion: write(CancelKeyDeletionCommand, "kms:CancelKeyDeletion"),
    EnableKey: write(EnableKeyCommand, "kms:EnableKey"),
    GetKeyPolicy: read(GetKeyPolicyCommand, "kms:GetKeyPolicy"),
    PutKeyPolicy: write(PutKeyPolicyCommand, "kms:PutKeyPolicy"),
  },
  rds: {
    DescribeDBSnapshots: read(DescribeDBSnapshotsCommand, "rds:DescribeDBSnapshots"),
    DescribeDBSnapshotAttributes: read(DescribeDBSnapshotAttributesCommand, "rds:DescribeDBSnapshotAttributes"),
    ModifyDBSnapshotAttribute: write(ModifyDBSnapshotAttributeCommand, "rds:ModifyDBSnapshotAttribute"),
    DescribeDBClusterSnapshots: read(DescribeDBClusterSnapshotsCommand, "rds:DescribeDBClusterSnapshots"),
    DescribeDBClusterSnapshotAttributes: read(
      DescribeDBClusterSnapshotAttributesCommand,
      "rds:DescribeDBClusterSnapshotAttributes",
    ),
    ModifyDBClusterSnapshotAttribute: write(
      ModifyDBClusterSnapshotAttributeCommand,
      "rds:ModifyDBClusterSnapshotAttribute",
    ),
    DescribeDBInstances: read(DescribeDBInstancesCommand, "rds:DescribeDBInstances"),
    ModifyDBInstance: write(ModifyDBInstanceCommand, "rds:ModifyDBInstance"),
    DescribeDBClusters: read(DescribeDBClustersCommand, "rds:DescribeDBClusters"),
    ModifyDBCluster: write(ModifyDBClusterCommand, "rds:ModifyDBCluster"),
  },
  lambda: {
    GetFunctionUrlConfig: read(GetFunctionUrlConfigCommand, "lambda:GetFunctionUrlConfig"),
    ListTags: read(ListLambdaTagsCommand, "lambda:ListTags"),
    UpdateFunctionUrlConfig: write(UpdateFunctionUrlConfigCommand, "lambda:UpdateFunctionUrlConfig"),
    GetFunction: read(GetFunctionCommand, "lambda:GetFunction"),
    GetPolicy: read(GetLambdaPolicyCommand, "lambda:GetPolicy"),
    RemovePermission: write(RemovePermissionCommand, "lambda:RemovePermission"),
  },
  sns: {
    GetTopicAttributes: read(GetTopicAttributesCommand, "sns:GetTopicAttributes"),
    ListTagsForResource: read(ListSnsTagsCommand, "sns:ListTagsForResource"),
    SetTopicAttributes: write(SetTopicAttributesCommand, "sns:SetTopicAttributes"),
  },
  sqs: {
    GetQueueAttributes: read(GetQueueAttributesCommand, "sqs:GetQueueAttributes"),
    ListQueueTags: read(ListQueueTagsCommand, "sqs:ListQueueTags"),
    SetQueueAttributes: write(SetQueueAttributesCommand, "sqs:SetQueueAttributes"),
  },
  ecr: {
    GetRepositoryPolicy: read(GetRepositoryPolicyCommand, "ecr:GetRepositoryPolicy"),
    ListTagsForResource: read(ListEcrTagsCommand, "ecr:ListTagsForResource"),
    SetRepositoryPolicy: write(SetRepositoryPolicyCommand, "ecr:SetRepositoryPolicy"),
    DeleteRepositoryPolicy: write(DeleteRepositoryPolicyCommand, "ecr:DeleteRepositoryPolicy"),
  },
  secretsmanager: {
    GetResourcePolicy: read(GetResourcePolicyCommand, "secretsmanager:GetResourcePolicy"),
    DescribeSecret: read(DescribeSecretCommand, "secretsmanager:DescribeSecret"),
    PutResourcePolicy: write(PutResourcePolicyCommand, "secretsmanager:PutResourcePolicy"),
    DeleteResourcePolicy: write(DeleteResourcePolicyCommand, "secretsmanager:DeleteResourcePolicy"),
  },
  securityhub: {
    DescribeHub: read(DescribeHubCommand, "securityhub:DescribeHub"),
    GetEnabledStandards: read(GetEnabledStandardsCommand, "securityhub:GetEnabledStandards"),
    ListTagsForResource: read(ListSecurityHubTagsCommand, "securityhub:ListTagsForResource"),
    EnableSecurityHub: write(EnableSecurityHubCommand, "securityhub:EnableSecurityHub"),
    BatchEnableStandards: write(BatchEnableStandardsCommand, "securityhub:BatchEnableStandards"),
  },
  events: {
    DescribeRule: read(DescribeRuleCommand, "events:DescribeRule"),
    ListTagsForResource: read(ListEventsTagsCommand, "events:ListTagsForResource"),
    EnableRule: write(EnableRuleCommand, "events:EnableRule"),
    PutRule: write(PutRuleCommand, "events:PutRule"),
  },
  route53domains: {
    GetDomainDetail: read(GetDomainDetailCommand, "route53domains:GetDomainDetail"),
    ListOperations: read(ListOperationsCommand, "route53domains:ListOperations"),
    ListTagsForDomain: read(ListTagsForDomainCommand, "route53domains:ListTagsForDomain"),
    EnableDomainTransferLock: write(EnableDomainTransferLockCommand, "route53domains:EnableDomainTransferLock"),
    CancelDomainTransferToAnotherAwsAccount: write(
      CancelDomainTransferToAnotherAwsAccountCommand,
      "route53domains:CancelDomainTransferToAnotherAwsAccount",
    ),
  },
} as const satisfies Record<string, Record<string, Operation>>;

export type ServiceName = keyof typeof OPERATIONS;
export type OperationName<S extends ServiceName> = keyof (typeof OPERATIONS)[S] & string;

type CommandOf<S extends ServiceName, O extends OperationName<S>> = (typeof OPERATIONS)[S][O] extends {
  command: infer C;
}
  ? C
  : never;

/** The SDK input type of an operation. */
export type InputOf<S extends ServiceName, O extends OperationName<S>> =
  CommandOf<S, O> extends abstract new (...args: infer A) => unknown ? NonNullable<A[0]> : never;

/** The SDK output type of an operation. */
export type OutputOf<S extends ServiceName, O extends OperationName<S>> =
  CommandOf<S, O> extends new (
    input: never,
  ) => { resolveMiddleware(...args: never[]): (...args: never[]) => Promise<{ output: infer Out }> }
    ? Out
    : never;

/** The table entry of `service:operation`; throws on an operation remediation does not use. */
export function operationOf(service: string, operation: string): Operation {
  const entry = (OPERATIONS as Record<string, Record<string, Operation>>)[service]?.[operation];
  if (!entry) throw new Error(`remediation does not use the AWS operation ${service}:${operation}`);
  return entry;
}
