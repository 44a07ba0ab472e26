import type { Finding } from "../model/incident.js";

/**
 * The affected AWS resource of a finding, named the way AWS names it (an ARN where the resource
 * has one), for the export formats. Riposte's `resource` is a short name (a group id, a bucket,
 * `user/alice`…) whose meaning depends on the detection; the detection's facts say which.
 * Anything not recognised is kept as it is, with the type `Other`.
 */

export const PARTITIONS = ["aws", "aws-cn", "aws-us-gov"] as const;
export type Partition = (typeof PARTITIONS)[number];

/** ASFF resource types Riposte's findings name (the ASFF resource type list); `Other` otherwise. */
export type AwsResourceType =
  | "AwsAccount"
  | "AwsEc2SecurityGroup"
  | "AwsEc2Instance"
  | "AwsS3Bucket"
  | "AwsS3Object"
  | "AwsIamAccessKey"
  | "AwsIamUser"
  | "AwsIamRole"
  | "AwsCloudTrailTrail"
  | "Other";

export interface AwsResource {
  type: AwsResourceType;
  /** The canonical id: an ARN, an access key id, `AWS::::Account:<id>` for an account. */
  id: string;
  /** The short name as the finding gave it. */
  name: string;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ACCOUNT = /^\d{12}$/;

/** A region name shaped like AWS's (`us-east-1`, `us-gov-west-1`, `cn-north-1`…). */
export function isRegionName(region: string): boolean {
  return REGION.test(region) && region.length <= 16;
}

export function isAccountId(account: string): boolean {
  return ACCOUNT.test(account);
}

/** The partition a region belongs to. */
export function partitionOf(region: string): Partition {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** The id Security Hub gives an account as a resource. */
export function accountResource(account: string): AwsResource {
  return { type: "AwsAccount", id: `AWS::::Account:${account}`, name: account };
}

const IAM_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):(user|role)\/(.+)$/;
const ASSUMED_ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/;
const ROOT_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):root$/;
const TRAIL_ARN = /^arn:(aws|aws-cn|aws-us-gov):cloudtrail:[a-z0-9-]+:\d{12}:trail\/.+$/;

/**
 * An IAM principal ARN as an ASFF resource: users and roles (an assumed-role session as its
 * role), the root user as its account. Undefined for anything else.
 */
export function principalResource(principal: string): AwsResource | undefined {
  const iam = IAM_ARN.exec(principal);
  if (iam) return { type: iam[3] === "user" ? "AwsIamUser" : "AwsIamRole", id: principal, name: iam[4]! };
  const assumed = ASSUMED_ROLE_ARN.exec(principal);
  if (assumed) {
    return { type: "AwsIamRole", id: `arn:${assumed[1]}:iam::${assumed[2]}:role/${assumed[3]}`, name: assumed[3]! };
  }
  const root = ROOT_ARN.exec(principal);
  if (root) return accountResource(root[2]!);
  return undefined;
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** The affected resource of a finding; the account itself when it names none. */
export function affectedResource(finding: Finding): AwsResource {
  const { resource, account, region, facts } = finding;
  const partition = partitionOf(region);
  const arn = (service: string, path: string, where = `${region}:${account}`) =>
    `arn:${partition}:${service}:${where}:${path}`;
  if (!/\S/.test(resource)) return accountResource(account);
  const bucket = str(facts.bucket);
  const key = str(facts.key);
  if (bucket && key && resource === `${bucket}/${key}`) {
    return { type: "AwsS3Object", id: `arn:${partition}:s3:::${bucket}/${key}`, name: resource };
  }
  if (bucket && resource === bucket)
    return { type: "AwsS3Bucket", id: `arn:${partition}:s3:::${bucket}`, name: resource };
  if (/^sg-[0-9a-zA-Z]+$/.test(resource)) {
    return { type: "AwsEc2SecurityGroup", id: arn("ec2", `security-group/${resource}`), name: resource };
  }
  if (/^i-[0-9a-zA-Z]+$/.test(resource)) {
    return { type: "AwsEc2Instance", id: arn("ec2", `instance/${resource}`), name: resource };
  }
  if (/^(AKIA|ASIA)[A-Z0-9]{12,124}$/.test(resource)) return { type: "AwsIamAccessKey", id: resource, name: resource };
  const principal = principalResource(resource);
  if (principal) return principal;
  const user = /^user\/(.+)$/.exec(resource);
  if (user) return { type: "AwsIamUser", id: `arn:${partition}:iam::${account}:user/${user[1]}`, name: user[1]! };
  if (resource === `account/${account}` || resource === `${account}/${region}`) return accountResource(account);
  if (finding.detection === "cloudtrail-tampering") {
    if (TRAIL_ARN.test(resource)) return { type: "AwsCloudTrailTrail", id: resource, name: resource.split("/").pop()! };
    return { type: "AwsCloudTrailTrail", id: arn("cloudtrail", `trail/${resource}`), name: resource };
  }
  return { type: "Other", id: resource, name: resource };
}

/**
 * Where findings whose logs name no account or region (ALB access logs) belong: ASFF
 * needs both, and they choose the product ARN the findings are imported under.
 */
export interface ExportPlace {
  account?: string;
  region?: string;
}

/** The finding with the fallback account and region where it has none. */
export function placed(finding: Finding, place: ExportPlace = {}): Finding {
  return {
    ...finding,
    account: finding.account || place.account || "",
    region: finding.region || place.region || "",
  };
}
