import {
  CloudTrailClient,
  GetTrailCommand,
  GetTrailStatusCommand,
  ListTagsCommand,
  StartLoggingCommand,
} from "@aws-sdk/client-cloudtrail";
import {
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
} from "@aws-sdk/client-ec2";
import {
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListUserTagsCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import {
  GetBucketPolicyStatusCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";

/**
 * AWS as the remediation clients see it in live mode, mocked at the SDK (aws-sdk-client-mock):
 * an account whose reads keep showing the risk — a change that does not stick ("stubborn") — or
 * whose writes are refused (the remediation role lacks a permission). The answers follow the
 * API references' shapes for the calls each category's action makes.
 */

const ACCOUNT = "123456789012";

function awsError(name: string, status: number, message: string): Error {
  return Object.assign(new Error(message), {
    name,
    Code: name,
    $fault: "client",
    $metadata: { httpStatusCode: status },
  });
}

export type AwsBehaviour = "stubborn" | "refusing";

/** Install the mocks; returns a function that removes them. */
export function mockAws(behaviour: AwsBehaviour): () => void {
  const denied = () => awsError("AccessDenied", 403, "User is not authorized to perform this operation");
  const sts = mockClient(STSClient);
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/riposte-remediate/x` });

  const ec2 = mockClient(EC2Client);
  ec2.on(DescribeSecurityGroupsCommand).resolves({
    SecurityGroups: [{ GroupId: "sg-0a1b2c3d4e5f60718", GroupName: "web", Tags: [] }],
  });
  ec2.on(DescribeSecurityGroupRulesCommand).resolves({
    SecurityGroupRules: [
      {
        SecurityGroupRuleId: "sgr-0123456789abcdef0",
        GroupId: "sg-0a1b2c3d4e5f60718",
        IsEgress: false,
        IpProtocol: "tcp",
        FromPort: 22,
        ToPort: 22,
        CidrIpv4: "0.0.0.0/0",
      },
    ],
  });
  if (behaviour === "refusing") ec2.on(RevokeSecurityGroupIngressCommand).rejects(denied());
  else ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });

  const cloudtrail = mockClient(CloudTrailClient);
  cloudtrail.on(GetTrailCommand).resolves({
    Trail: { Name: "management", TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/management` },
  });
  cloudtrail.on(GetTrailStatusCommand).resolves({ IsLogging: false });
  cloudtrail.on(ListTagsCommand).resolves({ ResourceTagList: [] });
  if (behaviour === "refusing") cloudtrail.on(StartLoggingCommand).rejects(denied());
  else cloudtrail.on(StartLoggingCommand).resolves({});

  const s3 = mockClient(S3Client);
  s3.on(GetPublicAccessBlockCommand).resolves({
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: false,
      IgnorePublicAcls: false,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: false,
    },
  });
  s3.on(GetBucketTaggingCommand).resolves({ TagSet: [] });
  s3.on(GetBucketPolicyStatusCommand).resolves({ PolicyStatus: { IsPublic: true } });
  if (behaviour === "refusing") s3.on(PutPublicAccessBlockCommand).rejects(denied());
  else s3.on(PutPublicAccessBlockCommand).resolves({});

  const iam = mockClient(IAMClient);
  iam.on(GetUserCommand).resolves({
    User: {
      UserName: "bob",
      UserId: "AIDAEXAMPLEBOB",
      Arn: `arn:aws:iam::${ACCOUNT}:user/bob`,
      Path: "/",
      CreateDate: new Date("2025-01-01T00:00:00Z"),
      Tags: [],
    },
  });
  iam.on(ListUserTagsCommand).resolves({ Tags: [] });
  iam.on(GetUserPolicyCommand).rejects(awsError("NoSuchEntity", 404, "The user policy cannot be found."));
  if (behaviour === "refusing") iam.on(PutUserPolicyCommand).rejects(denied());
  else iam.on(PutUserPolicyCommand).resolves({});

  const clients = [sts, ec2, cloudtrail, s3, iam];
  return () => {
    for (const client of clients) client.restore();
  };
}
