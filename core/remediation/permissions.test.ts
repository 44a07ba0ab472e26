import { GetTrailCommand, GetTrailStatusCommand, ListTagsCommand } from "@aws-sdk/client-cloudtrail";
import {
  DescribeConfigurationRecorderStatusCommand,
  DescribeConfigurationRecordersCommand,
  GetResourceConfigHistoryCommand,
  ListTagsForResourceCommand as ListConfigTagsCommand,
} from "@aws-sdk/client-config-service";
import {
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeNetworkAclsCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  GetEbsEncryptionByDefaultCommand,
  GetSnapshotBlockPublicAccessStateCommand,
} from "@aws-sdk/client-ec2";
import { GetRepositoryPolicyCommand, ListTagsForResourceCommand as ListEcrTagsCommand } from "@aws-sdk/client-ecr";
import { DescribeRuleCommand, ListTagsForResourceCommand as ListEventsTagsCommand } from "@aws-sdk/client-eventbridge";
import {
  GetDetectorCommand,
  GetFilterCommand,
  GetIPSetCommand as GetGuardDutyIPSetCommand,
  ListDetectorsCommand,
} from "@aws-sdk/client-guardduty";
import {
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
} from "@aws-sdk/client-iam";
import { DescribeKeyCommand, GetKeyPolicyCommand, ListResourceTagsCommand } from "@aws-sdk/client-kms";
import {
  GetFunctionCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand as GetLambdaPolicyCommand,
  ListTagsCommand as ListLambdaTagsCommand,
} from "@aws-sdk/client-lambda";
import {
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotAttributesCommand,
  DescribeDBSnapshotsCommand,
} from "@aws-sdk/client-rds";
import {
  GetDomainDetailCommand,
  ListOperationsCommand,
  ListTagsForDomainCommand,
} from "@aws-sdk/client-route-53-domains";
import {
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
} from "@aws-sdk/client-s3";
import { GetPublicAccessBlockCommand as GetAccountBlockCommand } from "@aws-sdk/client-s3-control";
import { DescribeSecretCommand, GetResourcePolicyCommand } from "@aws-sdk/client-secrets-manager";
import {
  DescribeHubCommand,
  GetEnabledStandardsCommand,
  ListTagsForResourceCommand as ListSecurityHubTagsCommand,
} from "@aws-sdk/client-securityhub";
import { GetTopicAttributesCommand, ListTagsForResourceCommand as ListSnsTagsCommand } from "@aws-sdk/client-sns";
import { GetQueueAttributesCommand, ListQueueTagsCommand } from "@aws-sdk/client-sqs";
import { GetIPSetCommand } from "@aws-sdk/client-wafv2";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { config, declaredIncident, incident } from "../../test/remediation/fixtures.js";
import { mockAws, runPlanned } from "../../test/remediation/mock-aws.js";
import { awsError } from "../../test/remediation/run-action.js";
import { silentLogger } from "../log.js";
import { REMEDIATION_ACTION_IDS, type RemediationActionId } from "../model/actions.js";
import { MemoryStore } from "../store/memory.js";
import { MemoryActionLedger } from "../store/memory-ledger.js";
import { createAwsGateway } from "./aws/gateway.js";
import { permissionsFor, policyFor } from "./permissions.js";
import { getAction } from "./registry.js";
import { sweepExpiredChanges } from "./sweep.js";

/**
 * Every SDK command an action sends (reading, changing, verifying, cleaning up) must be covered
 * by its declared permissions, and every declared permission must be used: the generated policy
 * is then exactly what the actions need. Commands map to IAM actions by AWS's naming rule
 * (`<prefix>:<Operation>`), except where the S3 service authorization reference names them
 * differently — listed here on their own, independent of the implementation's table.
 */

const aws = mockAws();
afterAll(() => aws.restore());

const IAM_PREFIX: Record<string, string> = {
  ec2: "ec2",
  s3: "s3",
  s3control: "s3",
  iam: "iam",
  cloudtrail: "cloudtrail",
  wafv2: "wafv2",
  sts: "sts",
  guardduty: "guardduty",
  config: "config",
  kms: "kms",
  rds: "rds",
  lambda: "lambda",
  sns: "sns",
  sqs: "sqs",
  ecr: "ecr",
  secretsmanager: "secretsmanager",
  securityhub: "securityhub",
  events: "events",
  route53domains: "route53domains",
};

const IAM_NAME_EXCEPTIONS: Record<string, string> = {
  "s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
  "s3:PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
  "s3:GetBucketCors": "s3:GetBucketCORS",
  "s3:PutBucketCors": "s3:PutBucketCORS",
  "s3:DeleteBucketCors": "s3:PutBucketCORS",
  "s3control:GetPublicAccessBlock": "s3:GetAccountPublicAccessBlock",
  "s3control:PutPublicAccessBlock": "s3:PutAccountPublicAccessBlock",
  "s3:GetBucketReplication": "s3:GetReplicationConfiguration",
  "s3:PutBucketReplication": "s3:PutReplicationConfiguration",
  "s3:DeleteBucketReplication": "s3:PutReplicationConfiguration",
};

/** `ec2:RevokeSecurityGroupIngressCommand` → `ec2:RevokeSecurityGroupIngress`, by AWS's rules. */
function iamActionOf(sent: string): string {
  const [service = "", command = ""] = sent.split(":");
  const key = `${service}:${command.replace(/Command$/, "")}`;
  return IAM_NAME_EXCEPTIONS[key] ?? `${IAM_PREFIX[service]}:${command.replace(/Command$/, "")}`;
}

const KEY = "AKIAABCDEFGHIJKLMNOP";
const DETECTOR = "12abc34d567e8fa901bc2d34e56789f0";
const KMS_KEY = "1234abcd-12ab-34cd-56ef-1234567890ab";
const BUCKET = "exposed-bucket";
const wafConfig = config({
  remediation: {
    wafIpSet: { name: "scanners", id: "set-1", scope: "REGIONAL" },
    networkAcl: { id: "acl-0123456789abcdef0" },
  },
});
const aclOnlyConfig = config({ remediation: { networkAcl: { id: "acl-0123456789abcdef0" } } });
const publicPolicy = (withPartner: boolean) =>
  JSON.stringify({
    Statement: [
      { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" },
      ...(withPartner
        ? [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::210987654321:root" }, Action: "s3:*", Resource: "*" }]
        : []),
    ],
  });
const publicGrant = {
  Grantee: { Type: "Group" as const, URI: "http://acs.amazonaws.com/groups/global/AllUsers" },
  Permission: "READ" as const,
};
const user = { User: { UserName: "alice", UserId: "AIDA", Arn: "arn", Path: "/", CreateDate: new Date() } };

/**
 * Scenarios that together take every path of an action that sends something. `direct` plans the
 * action itself: its detection (declared in issue 15) answers notify until it is wired to it.
 */
const SCENARIOS: Record<
  RemediationActionId,
  { incident: ReturnType<typeof incident>; config?: ReturnType<typeof config>; direct?: true; mock: () => void }[]
> = {
  "revoke-sg-rules": [
    {
      incident: incident("sg-ssh-open-world", {
        groupId: "sg-0123456789abcdef0",
        rules: [{ ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" }],
      }),
      mock: () => {
        aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: "sg-0123456789abcdef0" }] });
        aws.ec2.on(DescribeSecurityGroupRulesCommand).resolves({
          SecurityGroupRules: [
            {
              SecurityGroupRuleId: "sgr-00000000000000001",
              GroupId: "sg-0123456789abcdef0",
              IsEgress: false,
              IpProtocol: "tcp",
              FromPort: 22,
              ToPort: 22,
              CidrIpv4: "0.0.0.0/0",
            },
          ],
        });
      },
    },
    {
      incident: incident("guardduty-finding", {
        findingId: "f",
        findingType: "Recon:EC2/PortProbeUnprotectedPort",
        instanceId: "i-0123456789abcdef0",
      }),
      mock: () => {
        SCENARIOS["revoke-sg-rules"][0]?.mock();
        aws.ec2.on(DescribeInstancesCommand).resolves({
          Reservations: [
            {
              Instances: [{ InstanceId: "i-0123456789abcdef0", SecurityGroups: [{ GroupId: "sg-0123456789abcdef0" }] }],
            },
          ],
        });
      },
    },
  ],
  "s3-block-public-access": [
    {
      incident: incident("s3-public-access-block-disabled", { bucket: BUCKET }),
      mock: () => aws.s3.on(GetPublicAccessBlockCommand).resolves({}),
    },
  ],
  "s3-account-block-public-access": [
    {
      incident: incident("s3-public-access-block-disabled", { bucket: BUCKET, accountLevel: true }),
      mock: () => aws.s3control.on(GetAccountBlockCommand).resolves({}),
    },
  ],
  "s3-remove-public-policy": [
    {
      incident: incident("s3-bucket-policy-public", { bucket: BUCKET, policy: publicPolicy(true) }),
      mock: () => {
        aws.s3.on(GetBucketPolicyCommand).resolves({ Policy: publicPolicy(true) });
        aws.s3.on(GetBucketPolicyStatusCommand).resolves({ PolicyStatus: { IsPublic: false } });
      },
    },
    {
      incident: incident("s3-bucket-policy-public", { bucket: BUCKET, policy: publicPolicy(true) }),
      mock: () => {
        aws.s3.on(GetBucketPolicyCommand).resolves({ Policy: publicPolicy(false) });
        aws.s3.on(GetBucketPolicyStatusCommand).resolves({});
      },
    },
  ],
  "s3-private-acl": [
    {
      incident: incident("s3-bucket-acl-public", { bucket: BUCKET }),
      mock: () => aws.s3.on(GetBucketAclCommand).resolves({ Grants: [publicGrant] }),
    },
  ],
  "s3-private-object-acl": [
    {
      incident: incident("s3-object-acl-public", { bucket: BUCKET, key: "k" }),
      mock: () => aws.s3.on(GetObjectAclCommand).resolves({ Grants: [publicGrant] }),
    },
  ],
  "s3-delete-website": [
    {
      incident: incident("s3-website-enabled", { bucket: BUCKET }),
      mock: () => aws.s3.on(GetBucketWebsiteCommand).resolves({ IndexDocument: { Suffix: "i" } }),
    },
  ],
  "s3-restrict-cors": [
    {
      incident: incident("s3-cors-permissive", { bucket: BUCKET }),
      mock: () =>
        aws.s3.on(GetBucketCorsCommand).resolves({ CORSRules: [{ AllowedOrigins: ["*"], AllowedMethods: ["GET"] }] }),
    },
    {
      incident: incident("s3-cors-permissive", { bucket: BUCKET }),
      mock: () =>
        aws.s3.on(GetBucketCorsCommand).resolves({
          CORSRules: [
            { AllowedOrigins: ["*"], AllowedMethods: ["GET"] },
            { AllowedOrigins: ["https://a.example"], AllowedMethods: ["GET"] },
          ],
        }),
    },
  ],
  "iam-deny-temporarily": [
    {
      incident: incident("console-login-brute-force", { principalType: "IAMUser", userName: "alice" }),
      mock: () => aws.iam.on(GetUserCommand).resolves(user),
    },
  ],
  "iam-revoke-sessions": [
    {
      incident: incident("impossible-travel", { principalType: "IAMUser", userName: "alice" }),
      mock: () => aws.iam.on(GetUserCommand).resolves(user),
    },
    {
      incident: incident("impossible-travel", { principalType: "AssumedRole", roleName: "app" }),
      mock: () =>
        aws.iam
          .on(GetRoleCommand)
          .resolves({ Role: { RoleName: "app", RoleId: "R", Arn: "a", Path: "/", CreateDate: new Date() } }),
    },
  ],
  "iam-deactivate-access-key": [
    {
      incident: incident("access-key-anomalous-use", { principalType: "IAMUser", accessKeyId: KEY }),
      mock: () => {
        aws.iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: "alice" });
        aws.iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY, Status: "Active" }] });
        aws.iam.on(GetUserCommand).resolves(user);
      },
    },
  ],
  "iam-deactivate-user-keys": [
    {
      incident: incident("iam-key-quarantined", { targetUserName: "alice", eventName: "AttachUserPolicy" }),
      mock: () => {
        aws.iam.on(GetUserCommand).resolves(user);
        aws.iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY, Status: "Active" }] });
      },
    },
  ],
  "iam-remove-admin-policy": (["User", "Role", "Group"] as const).flatMap((kind) => {
    const admin = JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });
    const mock = () => {
      aws.iam.on(GetUserCommand).resolves(user);
      aws.iam
        .on(GetRoleCommand)
        .resolves({ Role: { RoleName: "app", RoleId: "R", Arn: "a", Path: "/", CreateDate: new Date() } });
      aws.iam
        .on(GetGroupCommand)
        .resolves({ Group: { GroupName: "g", GroupId: "G", Arn: "a", Path: "/", CreateDate: new Date() }, Users: [] });
      const attached = { AttachedPolicies: [{ PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }] };
      aws.iam.on(ListAttachedUserPoliciesCommand).resolves(attached);
      aws.iam.on(ListAttachedRolePoliciesCommand).resolves(attached);
      aws.iam.on(ListAttachedGroupPoliciesCommand).resolves(attached);
      aws.iam.on(GetUserPolicyCommand).resolves({ PolicyDocument: admin });
      aws.iam.on(GetRolePolicyCommand).resolves({ PolicyDocument: admin });
      aws.iam.on(GetGroupPolicyCommand).resolves({ PolicyDocument: admin });
    };
    const target = { [`target${kind}Name`]: "app" };
    return [
      {
        incident: incident("iam-admin-policy-attached", {
          eventName: `Attach${kind}Policy`,
          policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
          ...target,
        }),
        mock,
      },
      {
        incident: incident("iam-admin-policy-attached", { eventName: `Put${kind}Policy`, policyName: "p", ...target }),
        mock,
      },
    ];
  }),
  "iam-restore-role-trust": [
    {
      incident: incident("iam-role-trust-opened", { eventName: "UpdateAssumeRolePolicy", targetRoleName: "app" }),
      mock: () =>
        aws.iam.on(GetRoleCommand).resolves({
          Role: {
            RoleName: "app",
            RoleId: "R",
            Arn: "a",
            Path: "/",
            CreateDate: new Date(),
            AssumeRolePolicyDocument: encodeURIComponent(
              JSON.stringify({
                Statement: [
                  { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
                  { Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" },
                ],
              }),
            ),
          },
        }),
    },
  ],
  "nacl-delete-allow-all-entry": [
    {
      incident: incident("nacl-allow-all", {
        eventName: "CreateNetworkAclEntry",
        networkAclId: "acl-0123456789abcdef0",
        ruleNumber: 90,
        egress: false,
        cidrBlock: "0.0.0.0/0",
      }),
      mock: () =>
        aws.ec2.on(DescribeNetworkAclsCommand).resolves({
          NetworkAcls: [
            {
              NetworkAclId: "acl-0123456789abcdef0",
              Entries: [{ RuleNumber: 90, Egress: false, RuleAction: "allow", Protocol: "-1", CidrBlock: "0.0.0.0/0" }],
            },
          ],
        }),
    },
    {
      incident: incident("nacl-allow-all", {
        eventName: "ReplaceNetworkAclEntry",
        networkAclId: "acl-0123456789abcdef0",
        ruleNumber: 90,
        egress: false,
        cidrBlock: "0.0.0.0/0",
      }),
      mock: () => {
        aws.ec2.on(DescribeNetworkAclsCommand).resolves({
          NetworkAcls: [
            {
              NetworkAclId: "acl-0123456789abcdef0",
              Entries: [{ RuleNumber: 90, Egress: false, RuleAction: "allow", Protocol: "-1", CidrBlock: "0.0.0.0/0" }],
            },
          ],
        });
        aws.config.on(GetResourceConfigHistoryCommand).resolves({
          configurationItems: [
            {
              configurationItemCaptureTime: new Date("2026-03-01T10:00:00Z"),
              configurationItemStatus: "OK",
              configuration: JSON.stringify({
                entries: [
                  { ruleNumber: 90, egress: false, ruleAction: "deny", protocol: "-1", cidrBlock: "0.0.0.0/0" },
                ],
              }),
            },
          ],
        });
      },
    },
  ],
  "ec2-stop-instances": [
    {
      incident: incident("ec2-gpu-launch", { eventName: "RunInstances", instanceIds: ["i-0123456789abcdef0"] }),
      mock: () =>
        aws.ec2.on(DescribeInstancesCommand).resolves({
          Reservations: [{ Instances: [{ InstanceId: "i-0123456789abcdef0", State: { Name: "running" } }] }],
        }),
    },
  ],
  "lambda-url-require-iam": [
    {
      incident: incident("lambda-url-public", {
        eventName: "UpdateFunctionUrlConfig20211031",
        functionName: "orders",
        qualifier: "live",
      }),
      mock: () => {
        aws.lambda.on(GetFunctionUrlConfigCommand).resolves({
          AuthType: "NONE",
          FunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:orders:live",
        });
        aws.lambda.on(ListLambdaTagsCommand).resolves({ Tags: {} });
      },
    },
  ],
  "resource-policy-remove-public": [
    {
      incident: incident("resource-policy-public", {
        service: "sns",
        resourceName: "arn:aws:sns:us-east-1:123456789012:alerts",
        policy: publicPolicy(true),
      }),
      mock: () => {
        aws.sns.on(GetTopicAttributesCommand).resolves({ Attributes: { Policy: publicPolicy(true) } });
        aws.sns.on(ListSnsTagsCommand).resolves({ Tags: [] });
      },
    },
    {
      incident: incident("resource-policy-public", {
        service: "sqs",
        resourceName: "https://sqs.us-east-1.amazonaws.com/123456789012/orders",
        policy: publicPolicy(true),
      }),
      mock: () => {
        aws.sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { Policy: publicPolicy(true) } });
        aws.sqs.on(ListQueueTagsCommand).resolves({ Tags: {} });
      },
    },
    ...[true, false].map((withPartner) => ({
      incident: incident("resource-policy-public", {
        service: "ecr",
        resourceName: "app",
        policy: publicPolicy(withPartner),
      }),
      mock: () => {
        aws.ecr.on(GetRepositoryPolicyCommand).resolves({ policyText: publicPolicy(withPartner) });
        aws.ecr.on(ListEcrTagsCommand).resolves({ tags: [] });
      },
    })),
    ...[true, false].map((withPartner) => ({
      incident: incident("resource-policy-public", {
        service: "secretsmanager",
        resourceName: "prod/db",
        policy: publicPolicy(withPartner),
      }),
      mock: () => {
        aws.secretsmanager.on(DescribeSecretCommand).resolves({ Tags: [] });
        aws.secretsmanager.on(GetResourcePolicyCommand).resolves({ ResourcePolicy: publicPolicy(withPartner) });
      },
    })),
    {
      incident: incident("resource-policy-public", {
        service: "kms",
        resourceName: KMS_KEY,
        policy: publicPolicy(true),
      }),
      mock: () => {
        aws.kms.on(GetKeyPolicyCommand).resolves({ Policy: publicPolicy(true) });
        aws.kms.on(ListResourceTagsCommand).resolves({ Tags: [] });
      },
    },
    {
      incident: incident("resource-policy-public", {
        service: "lambda",
        functionName: "orders",
        statementId: "open",
      }),
      mock: () => {
        aws.lambda.on(GetFunctionCommand).resolves({ Tags: {} });
        aws.lambda.on(GetLambdaPolicyCommand).resolves({
          Policy: JSON.stringify({
            Statement: [{ Sid: "open", Effect: "Allow", Principal: "*", Action: "lambda:InvokeFunction" }],
          }),
        });
      },
    },
  ],
  "securityhub-enable": [
    {
      incident: incident("securityhub-disabled", {
        eventName: "BatchDisableStandards",
        standardsSubscriptionArns: [
          "arn:aws:securityhub:us-east-1:123456789012:subscription/aws-foundational-security-best-practices/v/1.0.0",
        ],
      }),
      mock: () => {
        aws.securityhub
          .on(DescribeHubCommand)
          .resolves({ HubArn: "arn:aws:securityhub:us-east-1:123456789012:hub/default" });
        aws.securityhub.on(ListSecurityHubTagsCommand).resolves({ Tags: {} });
        aws.securityhub.on(GetEnabledStandardsCommand).resolves({ StandardsSubscriptions: [] });
      },
    },
    {
      incident: incident("securityhub-disabled", { eventName: "DisableSecurityHub", standardsSubscriptionArns: [] }),
      mock: () => {
        aws.securityhub.on(DescribeHubCommand).rejects(awsError("InvalidAccessException"));
      },
    },
  ],
  "eventbridge-enable-rule": ["prod-riposte-sg-ssh-open-world", "prod-riposte-access-key-anomalous-use"].map(
    (ruleName) => ({
      incident: incident("eventbridge-rule-disabled", { eventName: "DisableRule", ruleName, eventBusName: "default" }),
      mock: () => {
        aws.events.on(DescribeRuleCommand).resolves({
          Name: ruleName,
          Arn: `arn:aws:events:us-east-1:123456789012:rule/${ruleName}`,
          EventPattern: '{"source":["aws.ec2"]}',
          State: "DISABLED",
        });
        aws.events.on(ListEventsTagsCommand).resolves({ Tags: [] });
      },
    }),
  ),
  "route53-domain-relock": [
    {
      incident: incident("route53-domain-transfer", {
        eventName: "TransferDomainToAnotherAwsAccount",
        domainName: "example.com",
        targetAccountId: "210987654321",
      }),
      mock: () => {
        aws.route53domains.on(GetDomainDetailCommand).resolves({ DomainName: "example.com", StatusList: [] });
        aws.route53domains.on(ListTagsForDomainCommand).resolves({ TagList: [] });
        aws.route53domains
          .on(ListOperationsCommand)
          .resolves({ Operations: [{ DomainName: "example.com", Status: "IN_PROGRESS" }] as never });
      },
    },
  ],
  "cloudtrail-start-logging": [
    {
      incident: incident("cloudtrail-tampering", { eventName: "StopLogging", trailName: "trail-1" }),
      mock: () => {
        aws.cloudtrail
          .on(GetTrailCommand)
          .resolves({ Trail: { TrailARN: "arn:aws:cloudtrail:us-east-1:123456789012:trail/trail-1" } });
        aws.cloudtrail.on(GetTrailStatusCommand).resolves({ IsLogging: false });
        aws.cloudtrail.on(ListTagsCommand).resolves({});
      },
    },
  ],
  "waf-block-ip": [
    {
      incident: incident("web-scanning", { clientIp: "203.0.113.7" }),
      config: wafConfig,
      mock: () =>
        aws.wafv2.on(GetIPSetCommand).resolves({
          IPSet: { Name: "scanners", Id: "set-1", ARN: "a", IPAddressVersion: "IPV4", Addresses: [] },
          LockToken: "t",
        }),
    },
  ],
  "nacl-deny-ip": [
    {
      incident: incident("web-scanning", { clientIp: "203.0.113.7" }),
      config: aclOnlyConfig,
      mock: () =>
        aws.ec2
          .on(DescribeNetworkAclsCommand)
          .resolves({ NetworkAcls: [{ NetworkAclId: "acl-0123456789abcdef0", Entries: [] }] }),
    },
  ],
  "guardduty-enable-detector": [
    {
      incident: declaredIncident("guardduty-disabled", "logging", {
        eventName: "UpdateDetector",
        detectorId: DETECTOR,
      }),
      direct: true,
      mock: () => {
        aws.guardduty.on(ListDetectorsCommand).resolves({ DetectorIds: [DETECTOR] });
        aws.guardduty.on(GetDetectorCommand).resolves({ Status: "DISABLED", ServiceRole: "r" });
      },
    },
  ],
  "config-start-recorder": [
    {
      incident: declaredIncident("config-recording-stopped", "logging", {
        eventName: "StopConfigurationRecorder",
        recorderName: "default",
      }),
      direct: true,
      mock: () => {
        aws.config.on(DescribeConfigurationRecordersCommand).resolves({
          ConfigurationRecorders: [
            { name: "default", arn: "arn:aws:config:us-east-1:123456789012:configuration-recorder/default/abc" },
          ],
        });
        aws.config
          .on(DescribeConfigurationRecorderStatusCommand)
          .resolves({ ConfigurationRecordersStatus: [{ name: "default", recording: false }] });
        aws.config.on(ListConfigTagsCommand).resolves({ Tags: [] });
      },
    },
  ],
  "kms-restore-key": [
    {
      incident: declaredIncident("kms-key-deletion", "storage", { eventName: "ScheduleKeyDeletion", keyId: KMS_KEY }),
      direct: true,
      mock: () => {
        aws.kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: KMS_KEY, KeyState: "PendingDeletion" } });
        aws.kms.on(ListResourceTagsCommand).resolves({ Tags: [] });
      },
    },
  ],
  "ebs-enable-default-encryption": [
    {
      incident: declaredIncident("ebs-default-encryption-disabled", "storage", {
        eventName: "DisableEbsEncryptionByDefault",
      }),
      direct: true,
      mock: () => aws.ec2.on(GetEbsEncryptionByDefaultCommand).resolves({ EbsEncryptionByDefault: false }),
    },
  ],
  "s3-enable-versioning": [
    {
      incident: declaredIncident("s3-versioning-suspended", "storage", {
        eventName: "PutBucketVersioning",
        bucket: BUCKET,
        versioningStatus: "Suspended",
      }),
      direct: true,
      mock: () => {
        aws.s3.on(GetBucketVersioningCommand).resolves({ Status: "Suspended" });
        aws.s3.on(GetBucketTaggingCommand).resolves({ TagSet: [] });
      },
    },
  ],
  "ebs-snapshot-unshare": [
    {
      incident: declaredIncident("ebs-snapshot-shared", "storage", {
        eventName: "ModifySnapshotAttribute",
        snapshotId: "snap-0123456789abcdef0",
        addedGroups: ["all"],
        addedUserIds: [],
      }),
      direct: true,
      mock: () => {
        aws.ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: "snap-0123456789abcdef0" }] });
        aws.ec2.on(DescribeSnapshotAttributeCommand).resolves({ CreateVolumePermissions: [{ Group: "all" }] });
        aws.ec2.on(GetSnapshotBlockPublicAccessStateCommand).resolves({ State: "unblocked" });
      },
    },
  ],
  "ami-unshare": [
    {
      incident: declaredIncident("ami-shared", "storage", {
        eventName: "ModifyImageAttribute",
        imageId: "ami-0123456789abcdef0",
        addedGroups: [],
        addedUserIds: ["210987654321"],
      }),
      direct: true,
      mock: () => {
        aws.ec2.on(DescribeImagesCommand).resolves({ Images: [{ ImageId: "ami-0123456789abcdef0" }] });
        aws.ec2.on(DescribeImageAttributeCommand).resolves({ LaunchPermissions: [{ UserId: "210987654321" }] });
      },
    },
  ],
  "rds-snapshot-unshare": [false, true].map((cluster) => ({
    incident: declaredIncident("rds-snapshot-shared", "storage", {
      eventName: cluster ? "ModifyDBClusterSnapshotAttribute" : "ModifyDBSnapshotAttribute",
      snapshotIdentifier: "orders-nightly",
      cluster,
      addedValues: ["all"],
    }),
    direct: true as const,
    mock: () => {
      const restore = [{ AttributeName: "restore", AttributeValues: ["all"] }];
      aws.rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [{ DBSnapshotIdentifier: "orders-nightly" }] });
      aws.rds.on(DescribeDBSnapshotAttributesCommand).resolves({
        DBSnapshotAttributesResult: { DBSnapshotAttributes: restore },
      });
      aws.rds
        .on(DescribeDBClusterSnapshotsCommand)
        .resolves({ DBClusterSnapshots: [{ DBClusterSnapshotIdentifier: "orders-nightly" }] });
      aws.rds.on(DescribeDBClusterSnapshotAttributesCommand).resolves({
        DBClusterSnapshotAttributesResult: { DBClusterSnapshotAttributes: restore },
      });
    },
  })),
  "rds-enable-deletion-protection": [
    {
      incident: declaredIncident("rds-protection-removed", "storage", {
        eventName: "ModifyDBInstance",
        dbInstanceIdentifier: "orders-db",
      }),
      direct: true,
      mock: () => aws.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DeletionProtection: false }] }),
    },
    {
      incident: declaredIncident("rds-protection-removed", "storage", {
        eventName: "ModifyDBCluster",
        dbClusterIdentifier: "orders-cluster",
      }),
      direct: true,
      mock: () => aws.rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ DeletionProtection: false }] }),
    },
  ],
  "s3-remove-foreign-replication": [
    ...[["210987654321"], ["210987654321", "123456789012"]].map((accounts) => ({
      incident: incident("s3-replication-external", {
        eventName: "PutBucketReplication",
        bucket: BUCKET,
        destinationAccounts: ["210987654321"],
      }),
      mock: () => {
        aws.s3.on(GetBucketReplicationCommand).resolves({
          ReplicationConfiguration: {
            Role: "arn:aws:iam::123456789012:role/replication",
            Rules: accounts.map((Account) => ({
              Status: "Enabled",
              Destination: { Bucket: `arn:aws:s3:::replica-${Account}`, Account },
            })),
          },
        });
        aws.s3.on(GetBucketTaggingCommand).resolves({ TagSet: [] });
      },
    })),
  ],
  "guardduty-deactivate-ip-set": [
    {
      incident: incident("guardduty-suppressed", {
        eventName: "UpdateIPSet",
        detectorId: DETECTOR,
        ipSetId: "0cb0141ab9fbde177613ab9436212e90",
      }),
      mock: () => {
        aws.guardduty.on(ListDetectorsCommand).resolves({ DetectorIds: [DETECTOR] });
        aws.guardduty.on(GetGuardDutyIPSetCommand).resolves({
          Name: "office",
          Format: "TXT",
          Location: "https://s3.amazonaws.com/b/ips.txt",
          Status: "ACTIVE",
        });
      },
    },
  ],
  "guardduty-delete-filter": [
    {
      incident: incident("guardduty-suppressed", {
        eventName: "CreateFilter",
        detectorId: DETECTOR,
        filterName: "quiet",
      }),
      mock: () => {
        aws.guardduty.on(ListDetectorsCommand).resolves({ DetectorIds: [DETECTOR] });
        aws.guardduty
          .on(GetFilterCommand)
          .resolves({ Name: "quiet", Action: "ARCHIVE", FindingCriteria: { Criterion: {} } });
      },
    },
  ],
  "rds-disable-public-access": [
    {
      incident: incident("rds-instance-public", { eventName: "ModifyDBInstance", dbInstanceIdentifier: "orders-db" }),
      mock: () => aws.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ PubliclyAccessible: true }] }),
    },
  ],
};

async function commandsUsedBy(id: RemediationActionId): Promise<string[]> {
  const used = new Set<string>();
  for (const scenario of SCENARIOS[id]) {
    aws.reset();
    scenario.mock();
    const cfg = scenario.config ?? config();
    const { planned, applied } = await runPlanned(scenario.incident, cfg, {
      approved: true,
      ...(scenario.direct ? { action: id } : {}),
    });
    expect(planned.action).toBe(id);
    expect(applied.outcome).toBe("applied");
    const action = getAction(id);
    const resolved = action.resolve(scenario.incident, cfg);
    if (!resolved.ok) throw new Error(resolved.reason);
    const gateway = createAwsGateway({ aws: { maxAttempts: 1 }, region: "us-east-1", logger: silentLogger });
    await action.verify({
      config: cfg,
      now: new Date(),
      incident: scenario.incident,
      target: resolved.target,
      aws: gateway,
      logger: silentLogger,
    });
    if (id === "iam-deny-temporarily") {
      const ledger = new MemoryActionLedger();
      const entry = { id: "e", at: "2026-01-01T00:00:00Z", action: id, target: "user alice", incidentId: "i" };
      await ledger.record(entry);
      await ledger.setExpiry("e", "2026-01-01T00:30:00Z", { userName: "alice" });
      aws.iam.on(GetUserPolicyCommand).resolves({ PolicyDocument: "{}" });
      const deps = {
        config: cfg,
        store: new MemoryStore(),
        logger: silentLogger,
        now: () => new Date("2026-01-02T00:00:00Z"),
        aws: {},
        mode: "live" as const,
        secrets: {},
        callbacks: {} as never,
        ledger,
      };
      await sweepExpiredChanges(deps, { gateway });
    }
    for (const sent of aws.sent()) used.add(iamActionOf(sent));
  }
  return [...used].sort();
}

describe("declared permissions", () => {
  beforeEach(() => aws.reset());

  it.each(REMEDIATION_ACTION_IDS.map((id) => [id]))(
    "%s declares exactly the IAM actions its commands need",
    async (id) => {
      const used = await commandsUsedBy(id);

      expect(used.length).toBeGreaterThan(0);
      expect([...getAction(id).permissions].sort()).toEqual(used);
    },
  );

  it("generates a policy with exactly the declared permissions, without wildcards", () => {
    const everything = policyFor();
    const declared = [...new Set(REMEDIATION_ACTION_IDS.flatMap((id) => getAction(id).permissions))].sort();

    expect(everything.Statement).toHaveLength(2);
    expect(everything.Statement[0]?.Action).toEqual(declared);
    expect(everything.Statement[1]).toEqual({
      Sid: "RiposteRemediationPassRole",
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: "*",
      Condition: { StringEquals: { "iam:PassedToService": ["s3.amazonaws.com"] } },
    });
    expect(policyFor(["s3-enable-versioning"]).Statement).toHaveLength(1);
    expect(everything.Statement[0]?.Action.some((a) => a.includes("*"))).toBe(false);
    expect(policyFor(["waf-block-ip"]).Statement[0]?.Action).toEqual(["wafv2:GetIPSet", "wafv2:UpdateIPSet"]);
  });

  it("fails on an unknown action with the list of valid ones", () => {
    expect(() => permissionsFor(["revoke-everything"])).toThrow(
      /unknown remediation action "revoke-everything"; valid actions: revoke-sg-rules, /,
    );
  });
});
