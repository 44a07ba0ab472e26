import { DescribeNetworkInterfacesCommand, DescribeSecurityGroupsCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  GetBucketPolicyStatusCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import type { AwsClientOptions } from "../model/aws-client.js";
import type { ResourceRef } from "./resource.js";
import { normalizeTags } from "./tags.js";

/**
 * Resource context described live through the SDK (used only when remediation is live): tags
 * and related objects of a security group or a bucket. Each call may fail on its own; failures
 * are collected, never thrown, so enrichment degrades instead of failing the incident.
 */

/** A live call that takes longer than this is abandoned (the workflow must not wait on it). */
const CALL_TIMEOUT_MS = 5000;

const ec2Clients = new Map<string, EC2Client>();
const s3Clients = new Map<string, S3Client>();

function clientKey(options: AwsClientOptions, region: string): string {
  return JSON.stringify([region, options.endpoint ?? "", options.maxAttempts ?? 0, options.forcePathStyle ?? false]);
}

function ec2For(options: AwsClientOptions, region: string): EC2Client {
  const key = clientKey(options, region);
  let client = ec2Clients.get(key);
  if (!client) {
    client = new EC2Client({ region, endpoint: options.endpoint, maxAttempts: options.maxAttempts });
    ec2Clients.set(key, client);
  }
  return client;
}

function s3For(options: AwsClientOptions, region: string): S3Client {
  const key = clientKey(options, region);
  let client = s3Clients.get(key);
  if (!client) {
    client = new S3Client({
      region,
      endpoint: options.endpoint,
      maxAttempts: options.maxAttempts,
      forcePathStyle: options.forcePathStyle,
      followRegionRedirects: true,
    });
    s3Clients.set(key, client);
  }
  return client;
}

export interface LiveResult {
  tags?: Record<string, string>;
  related: Record<string, unknown>;
  errors: string[];
}

function errorCode(error: unknown): string {
  const record = error as { name?: string; Code?: string; message?: string };
  return record.Code ?? record.name ?? "Error";
}

function describeError(operation: string, error: unknown): string {
  return `resource: ${operation} failed: ${errorCode(error)}: ${(error as Error).message ?? String(error)}`;
}

/** Run one SDK call with a timeout; `absent` error codes mean "nothing there", not a failure. */
async function attempt<T>(
  operation: string,
  call: (signal: AbortSignal) => Promise<T>,
  errors: string[],
  absent: string[] = [],
): Promise<T | null | undefined> {
  try {
    return await call(AbortSignal.timeout(CALL_TIMEOUT_MS));
  } catch (error) {
    if (absent.includes(errorCode(error))) return null;
    errors.push(describeError(operation, error));
    return undefined;
  }
}

async function describeSecurityGroup(groupId: string, ec2: EC2Client): Promise<LiveResult> {
  const errors: string[] = [];
  const related: Record<string, unknown> = {};
  const groups = await attempt(
    "DescribeSecurityGroups",
    (abortSignal) => ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }), { abortSignal }),
    errors,
    ["InvalidGroup.NotFound"],
  );
  if (groups === null) return { related: { exists: false }, errors };
  const group = groups?.SecurityGroups?.[0];
  if (group) {
    related.groupName = group.GroupName;
    related.vpcId = group.VpcId;
    related.ingressRules = group.IpPermissions?.length ?? 0;
  }
  const interfaces = await attempt(
    "DescribeNetworkInterfaces",
    (abortSignal) =>
      ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "group-id", Values: [groupId] }] }), {
        abortSignal,
      }),
    errors,
  );
  if (interfaces) {
    const items = interfaces.NetworkInterfaces ?? [];
    related.networkInterfaceIds = items.flatMap((eni) => (eni.NetworkInterfaceId ? [eni.NetworkInterfaceId] : []));
    related.instanceIds = [
      ...new Set(items.flatMap((eni) => (eni.Attachment?.InstanceId ? [eni.Attachment.InstanceId] : []))),
    ];
  }
  return { ...(group ? { tags: normalizeTags(group.Tags) } : {}), related, errors };
}

async function describeBucket(bucket: string, s3: S3Client): Promise<LiveResult> {
  const errors: string[] = [];
  const related: Record<string, unknown> = {};
  const tagging = await attempt(
    "GetBucketTagging",
    (abortSignal) => s3.send(new GetBucketTaggingCommand({ Bucket: bucket }), { abortSignal }),
    errors,
    ["NoSuchTagSet", "NoSuchTagSetError"],
  );
  const status = await attempt(
    "GetBucketPolicyStatus",
    (abortSignal) => s3.send(new GetBucketPolicyStatusCommand({ Bucket: bucket }), { abortSignal }),
    errors,
    ["NoSuchBucketPolicy"],
  );
  // Absent policy: not public by policy. An answer without a status says nothing (some emulators).
  if (status === null) related.policyPublic = false;
  else if (typeof status?.PolicyStatus?.IsPublic === "boolean") related.policyPublic = status.PolicyStatus.IsPublic;
  const block = await attempt(
    "GetPublicAccessBlock",
    (abortSignal) => s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }), { abortSignal }),
    errors,
    ["NoSuchPublicAccessBlockConfiguration"],
  );
  if (block === null) related.publicAccessBlock = null;
  else if (block?.PublicAccessBlockConfiguration) related.publicAccessBlock = block.PublicAccessBlockConfiguration;
  return {
    ...(tagging === null ? { tags: {} } : tagging ? { tags: normalizeTags(tagging.TagSet) } : {}),
    related,
    errors,
  };
}

/** Describe a security group or bucket live; other resource types have nothing to describe here. */
export async function describeLive(ref: ResourceRef, region: string, aws: AwsClientOptions): Promise<LiveResult> {
  if (ref.type === "security-group") return describeSecurityGroup(ref.id, ec2For(aws, region));
  if (ref.type === "s3-bucket" || ref.type === "s3-object") return describeBucket(ref.id, s3For(aws, region));
  return { related: {}, errors: [] };
}
