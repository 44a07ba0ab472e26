/**
 * CloudTrail records and a GuardDuty finding in the shapes AWS writes them (CloudTrail record
 * contents, event version 1.09; sign-in events; the EC2, S3, IAM and CloudTrail API references;
 * GuardDuty finding format 2.0 inside its EventBridge envelope), for the demo storyline.
 */

type Json = Record<string, unknown>;

export const DEMO_ACCOUNT = "111122223333";
export const DEMO_REGION = "eu-west-1";

export interface Actor {
  userIdentity: Json;
  ip: string;
  userAgent: string;
}

/** An IAM user acting with an access key (or, for sign-in events, without one). */
export function iamUser(userName: string, principalId: string, accessKeyId: string): Json {
  return {
    type: "IAMUser",
    principalId,
    arn: `arn:aws:iam::${DEMO_ACCOUNT}:user/${userName}`,
    accountId: DEMO_ACCOUNT,
    accessKeyId,
    userName,
  };
}

export interface RecordContext {
  /** Event time, epoch ms. */
  at: number;
  /** The event id (deterministic per demo run, so a resumed replay is recognised). */
  eventId: string;
  actor: Actor;
  region?: string;
}

/** CloudTrail writes times to the second, in UTC with a Z. */
export function cloudTrailTime(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

function requestId(eventId: string): string {
  // A request id shaped like AWS's (a UUID), derived from the event id.
  return `${eventId.slice(0, 8)}-7a1c-4e2b-9c3d-${eventId.replace(/-/g, "").slice(-12)}`;
}

function apiCall(
  context: RecordContext,
  eventSource: string,
  eventName: string,
  requestParameters: unknown,
  responseElements: unknown,
  extra: Json = {},
): Json {
  const region = context.region ?? DEMO_REGION;
  const service = eventSource.split(".")[0];
  return {
    eventVersion: "1.09",
    userIdentity: context.actor.userIdentity,
    eventTime: cloudTrailTime(context.at),
    eventSource,
    eventName,
    awsRegion: region,
    sourceIPAddress: context.actor.ip,
    userAgent: context.actor.userAgent,
    requestParameters,
    responseElements,
    requestID: requestId(context.eventId),
    eventID: context.eventId,
    readOnly: /^(Get|List|Describe|Lookup)/.test(eventName),
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: DEMO_ACCOUNT,
    eventCategory: "Management",
    tlsDetails: {
      tlsVersion: "TLSv1.3",
      cipherSuite: "TLS_AES_128_GCM_SHA256",
      clientProvidedHostHeader: `${service}.${region}.amazonaws.com`,
    },
    ...extra,
  };
}

/** A console sign-in (CloudTrail logs it in us-east-1, without an access key). */
export function consoleLogin(context: RecordContext, success: boolean, mfa = false): Json {
  const { accessKeyId: _none, ...identity } = context.actor.userIdentity;
  return {
    eventVersion: "1.09",
    userIdentity: { ...identity, accessKeyId: "" },
    eventTime: cloudTrailTime(context.at),
    eventSource: "signin.amazonaws.com",
    eventName: "ConsoleLogin",
    awsRegion: "us-east-1",
    sourceIPAddress: context.actor.ip,
    userAgent: context.actor.userAgent,
    requestParameters: null,
    responseElements: { ConsoleLogin: success ? "Success" : "Failure" },
    additionalEventData: {
      LoginTo: "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true",
      MobileVersion: "No",
      MFAUsed: mfa ? "Yes" : "No",
    },
    ...(success ? {} : { errorMessage: "Failed authentication" }),
    eventID: context.eventId,
    readOnly: false,
    eventType: "AwsConsoleSignIn",
    managementEvent: true,
    recipientAccountId: DEMO_ACCOUNT,
    eventCategory: "Management",
    tlsDetails: {
      tlsVersion: "TLSv1.3",
      cipherSuite: "TLS_AES_128_GCM_SHA256",
      clientProvidedHostHeader: "signin.aws.amazon.com",
    },
  };
}

/** A read-only call (the background activity baselines learn from). */
export function readCall(context: RecordContext, eventSource: string, eventName: string, params: unknown = null) {
  return apiCall(context, eventSource, eventName, params, null);
}

export function createSecurityGroup(
  context: RecordContext,
  groupId: string,
  groupName: string,
  description: string,
  tags: Record<string, string>,
): Json {
  const tagItems = Object.entries(tags).map(([key, value]) => ({ key, value }));
  return apiCall(
    context,
    "ec2.amazonaws.com",
    "CreateSecurityGroup",
    {
      groupName,
      groupDescription: description,
      vpcId: "vpc-0c1d2e3f4a5b6c7d8",
      tagSpecificationSet: { items: [{ resourceType: "security-group", tags: tagItems }] },
    },
    { requestId: requestId(context.eventId), _return: true, groupId, tagSet: { items: tagItems } },
  );
}

export interface IngressRule {
  port: number;
  cidr: string;
  description?: string;
  ruleId: string;
}

function permissionsOf(rules: readonly IngressRule[]) {
  return {
    items: rules.map((rule) => ({
      ipProtocol: "tcp",
      fromPort: rule.port,
      toPort: rule.port,
      groups: {},
      ipRanges: { items: [{ cidrIp: rule.cidr, ...(rule.description ? { description: rule.description } : {}) }] },
      ipv6Ranges: {},
      prefixListIds: {},
    })),
  };
}

/** AuthorizeSecurityGroupIngress; the response lists the rules created, with their ids. */
export function authorizeIngress(context: RecordContext, groupId: string, rules: readonly IngressRule[]): Json {
  return apiCall(
    context,
    "ec2.amazonaws.com",
    "AuthorizeSecurityGroupIngress",
    { groupId, ipPermissions: permissionsOf(rules) },
    {
      requestId: requestId(context.eventId),
      _return: true,
      securityGroupRuleSet: {
        items: rules.map((rule) => ({
          groupOwnerId: DEMO_ACCOUNT,
          groupId,
          securityGroupRuleId: rule.ruleId,
          isEgress: false,
          ipProtocol: "tcp",
          fromPort: rule.port,
          toPort: rule.port,
          cidrIpv4: rule.cidr,
          ...(rule.description ? { description: rule.description } : {}),
        })),
      },
    },
  );
}

/** RevokeSecurityGroupIngress by rule id. */
export function revokeIngress(context: RecordContext, groupId: string, ruleIds: readonly string[]): Json {
  return apiCall(
    context,
    "ec2.amazonaws.com",
    "RevokeSecurityGroupIngress",
    { groupId, securityGroupRuleIds: { items: ruleIds.map((securityGroupRuleId) => ({ securityGroupRuleId })) } },
    { requestId: requestId(context.eventId), _return: true },
  );
}

/** RunInstances of one instance into a group; the response names the instance and its interface. */
export function runInstance(context: RecordContext, groupId: string, instanceId: string, eniId: string): Json {
  const groupSet = { items: [{ groupId, groupName: "web-prod" }] };
  return apiCall(
    context,
    "ec2.amazonaws.com",
    "RunInstances",
    {
      instancesSet: { items: [{ imageId: "ami-0a3c14e1ddbe7f23c", minCount: 1, maxCount: 1 }] },
      groupSet: { items: [{ groupId }] },
      instanceType: "t3.medium",
      subnetId: "subnet-0b2c3d4e5f6a7b8c9",
    },
    {
      requestId: requestId(context.eventId),
      reservationId: "r-0f1e2d3c4b5a69788",
      ownerId: DEMO_ACCOUNT,
      groupSet: {},
      instancesSet: {
        items: [
          {
            instanceId,
            imageId: "ami-0a3c14e1ddbe7f23c",
            instanceState: { code: 0, name: "pending" },
            privateIpAddress: "10.40.1.25",
            groupSet,
            networkInterfaceSet: {
              items: [
                {
                  networkInterfaceId: eniId,
                  subnetId: "subnet-0b2c3d4e5f6a7b8c9",
                  vpcId: "vpc-0c1d2e3f4a5b6c7d8",
                  privateIpAddress: "10.40.1.25",
                  groupSet,
                  attachment: { attachmentId: "eni-attach-0a1b2c3d4e5f60718", deviceIndex: 0, status: "attaching" },
                },
              ],
            },
          },
        ],
      },
    },
  );
}

/** PutBucketPolicy, as CloudTrail logs it (the policy parsed into `bucketPolicy`). */
export function putBucketPolicy(context: RecordContext, bucket: string, policy: Json): Json {
  const region = context.region ?? DEMO_REGION;
  return apiCall(
    context,
    "s3.amazonaws.com",
    "PutBucketPolicy",
    { bucketName: bucket, Host: `${bucket}.s3.${region}.amazonaws.com`, bucketPolicy: policy, policy: [""] },
    null,
    {
      resources: [{ accountId: DEMO_ACCOUNT, type: "AWS::S3::Bucket", ARN: `arn:aws:s3:::${bucket}` }],
      additionalEventData: {
        SignatureVersion: "SigV4",
        CipherSuite: "TLS_AES_128_GCM_SHA256",
        bytesTransferredIn: 0,
        AuthenticationMethod: "AuthHeader",
        "x-amz-id-2": "Zb2Ud7vJ3V0yS5oEXAMPLEoJQ0zKp0cZjQ8ZbRZ7kMbDq3C1v2W8pX3hM6v5yT+U2f0fQk=",
        bytesTransferredOut: 0,
      },
    },
  );
}

/** StopLogging or DeleteTrail on a trail (named by ARN, as the console does). */
export function trailCall(context: RecordContext, eventName: "StopLogging" | "DeleteTrail", trail: string): Json {
  const region = context.region ?? DEMO_REGION;
  return apiCall(
    context,
    "cloudtrail.amazonaws.com",
    eventName,
    { name: `arn:aws:cloudtrail:${region}:${DEMO_ACCOUNT}:trail/${trail}` },
    null,
  );
}

/** CreateAccessKey for a user; the response names the new key (never its secret). */
export function createAccessKey(context: RecordContext, userName: string, accessKeyId: string): Json {
  return apiCall(
    context,
    "iam.amazonaws.com",
    "CreateAccessKey",
    { userName },
    {
      accessKey: {
        userName,
        accessKeyId,
        status: "Active",
        createDate: new Date(Math.floor(context.at / 1000) * 1000).toUTCString().replace("GMT", "UTC"),
      },
    },
    { awsRegion: "us-east-1" },
  );
}

/** A GuardDuty finding (format 2.0) in the EventBridge envelope GuardDuty publishes it in. */
export function guardDutyPortProbe(
  context: { at: number; eventId: string; findingId: string },
  instance: { instanceId: string; eniId: string; groupId: string; groupName: string },
  probe: { port: number; ip: string; country: string; org: string },
): Json {
  const time = new Date(context.at).toISOString();
  const detector = "c2b4f8a7e6d5c4b3a29180f7e6d5c4b3";
  return {
    version: "0",
    id: context.eventId,
    "detail-type": "GuardDuty Finding",
    source: "aws.guardduty",
    account: DEMO_ACCOUNT,
    time: cloudTrailTime(context.at),
    region: DEMO_REGION,
    resources: [],
    detail: {
      schemaVersion: "2.0",
      accountId: DEMO_ACCOUNT,
      region: DEMO_REGION,
      partition: "aws",
      id: context.findingId,
      arn: `arn:aws:guardduty:${DEMO_REGION}:${DEMO_ACCOUNT}:detector/${detector}/finding/${context.findingId}`,
      type: "Recon:EC2/PortProbeUnprotectedPort",
      resource: {
        resourceType: "Instance",
        instanceDetails: {
          instanceId: instance.instanceId,
          instanceType: "t3.medium",
          instanceState: "running",
          availabilityZone: `${DEMO_REGION}a`,
          imageId: "ami-0a3c14e1ddbe7f23c",
          networkInterfaces: [
            {
              networkInterfaceId: instance.eniId,
              privateIpAddress: "10.40.1.25",
              publicIp: "34.240.11.87",
              subnetId: "subnet-0b2c3d4e5f6a7b8c9",
              vpcId: "vpc-0c1d2e3f4a5b6c7d8",
              securityGroups: [{ groupId: instance.groupId, groupName: instance.groupName }],
            },
          ],
          tags: [{ key: "env", value: "production" }],
        },
      },
      service: {
        serviceName: "guardduty",
        detectorId: detector,
        action: {
          actionType: "PORT_PROBE",
          portProbeAction: {
            blocked: false,
            portProbeDetails: [
              {
                localPortDetails: { port: probe.port, portName: probe.port === 22 ? "SSH" : "Unknown" },
                remoteIpDetails: {
                  ipAddressV4: probe.ip,
                  country: { countryName: probe.country },
                  organization: { asnOrg: probe.org, org: probe.org, isp: probe.org },
                },
              },
            ],
          },
        },
        resourceRole: "TARGET",
        additionalInfo: { threatListName: "ProofPoint", value: "{}" },
        eventFirstSeen: time,
        eventLastSeen: time,
        archived: false,
        count: 3,
      },
      severity: 5,
      createdAt: time,
      updatedAt: time,
      title: `Unprotected port on EC2 instance ${instance.instanceId} is being probed.`,
      description: `EC2 instance has an unprotected port which is being probed by a known malicious host.`,
    },
  };
}
