import { randomUUID } from "node:crypto";

/**
 * CloudTrail records for the end-to-end scenarios, shaped like real ones (eventVersion 1.08
 * management events). Each call makes fresh event ids, so runs never collide with stored ones.
 */

export const ACCOUNT = "111122223333";
const REGION = "eu-west-1";

function base(overrides: Record<string, unknown>, at: Date, userAgent: string) {
  return {
    eventVersion: "1.08",
    userIdentity: {
      type: "IAMUser",
      principalId: "AIDAEXAMPLEALICE0001",
      arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
      accountId: ACCOUNT,
      accessKeyId: "AKIAEXAMPLEALICE0001",
      userName: "alice",
    },
    eventTime: at.toISOString().replace(/\.\d{3}Z$/, "Z"),
    awsRegion: REGION,
    sourceIPAddress: "203.0.113.7",
    userAgent,
    requestID: randomUUID(),
    eventID: randomUUID(),
    readOnly: false,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: "Management",
    ...overrides,
  };
}

/** Port 22 opened to 0.0.0.0/0 on a security group. */
export function sshOpenToWorld(groupId: string, at = new Date(), userAgent = "aws-cli/2.15.30 Python/3.11.8") {
  return base(
    {
      eventSource: "ec2.amazonaws.com",
      eventName: "AuthorizeSecurityGroupIngress",
      requestParameters: {
        groupId,
        ipPermissions: {
          items: [
            {
              ipProtocol: "tcp",
              fromPort: 22,
              toPort: 22,
              groups: {},
              ipRanges: { items: [{ cidrIp: "0.0.0.0/0" }] },
              ipv6Ranges: {},
              prefixListIds: {},
            },
          ],
        },
      },
      responseElements: {
        requestId: randomUUID(),
        _return: true,
        securityGroupRuleSet: {
          items: [
            {
              groupOwnerId: ACCOUNT,
              groupId,
              securityGroupRuleId: `sgr-${randomUUID().replace(/-/g, "").slice(0, 17)}`,
              isEgress: false,
              ipProtocol: "tcp",
              fromPort: 22,
              toPort: 22,
              cidrIpv4: "0.0.0.0/0",
            },
          ],
        },
      },
    },
    at,
    userAgent,
  );
}

/** CloudTrail logging stopped on a trail. */
export function stopLogging(trail: string, at = new Date(), userAgent = "aws-cli/2.15.30 Python/3.11.8") {
  return base(
    {
      eventSource: "cloudtrail.amazonaws.com",
      eventName: "StopLogging",
      requestParameters: { name: `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${trail}` },
      responseElements: null,
    },
    at,
    userAgent,
  );
}

/** A bucket policy that lets anyone read every object. */
export function publicBucketPolicy(bucket: string, at = new Date(), userAgent = "aws-cli/2.15.30 Python/3.11.8") {
  return base(
    {
      eventSource: "s3.amazonaws.com",
      eventName: "PutBucketPolicy",
      requestParameters: {
        bucketName: bucket,
        Host: `${bucket}.s3.${REGION}.amazonaws.com`,
        bucketPolicy: {
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "PublicRead",
              Effect: "Allow",
              Principal: "*",
              Action: "s3:GetObject",
              Resource: `arn:aws:s3:::${bucket}/*`,
            },
          ],
        },
        policy: [""],
      },
      responseElements: null,
    },
    at,
    userAgent,
  );
}

/** The root user signing in to the console (without MFA). */
export function rootConsoleLogin(at = new Date(), userAgent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0") {
  return base(
    {
      userIdentity: { type: "Root", principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT },
      eventSource: "signin.amazonaws.com",
      eventName: "ConsoleLogin",
      eventType: "AwsConsoleSignIn",
      readOnly: false,
      requestParameters: null,
      responseElements: { ConsoleLogin: "Success" },
      additionalEventData: {
        LoginTo: "https://console.aws.amazon.com/console/home",
        MobileVersion: "No",
        MFAUsed: "No",
      },
      awsRegion: "us-east-1",
    },
    at,
    userAgent,
  );
}
