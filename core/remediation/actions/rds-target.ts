import { ID_PATTERNS } from "./facts.js";

/** Naming an RDS resource from facts: its identifier, or its ARN (which also gives its region). */

/** DB instance, cluster and snapshot identifiers: a letter, then letters, digits and hyphens. */
const RDS_NAME = /^[A-Za-z][A-Za-z0-9-]{0,254}$/;
const RDS_ARN = /^arn:aws[\w-]*:rds:([a-z0-9-]+):(\d{12}):([a-z-]+):([^:]+)$/;

export interface RdsName {
  identifier: string;
  region: string;
  /** The ARN's resource type (`db`, `cluster`, `snapshot`, `cluster-snapshot`), when named by ARN. */
  type?: string;
}

/**
 * `value` as an RDS identifier in `region`, or as an ARN of one of `types` in `account`;
 * undefined for anything else.
 */
export function parseRdsName(
  value: unknown,
  region: string,
  account: string,
  types: readonly string[],
): RdsName | undefined {
  if (typeof value !== "string") return undefined;
  if (RDS_NAME.test(value)) return { identifier: value, region };
  const arn = RDS_ARN.exec(value);
  if (!arn) return undefined;
  const [, arnRegion = "", arnAccount, type = "", name = ""] = arn;
  if (arnAccount !== account || !types.includes(type) || !RDS_NAME.test(name) || !ID_PATTERNS.region.test(arnRegion))
    return undefined;
  return { identifier: name, region: arnRegion, type };
}

/** RDS answers with these codes for what does not exist (the Query code, or the SDK's fault name). */
export const RDS_NOT_FOUND = {
  snapshot: ["DBSnapshotNotFound", "DBSnapshotNotFoundFault"],
  clusterSnapshot: ["DBClusterSnapshotNotFoundFault"],
  instance: ["DBInstanceNotFound", "DBInstanceNotFoundFault"],
  cluster: ["DBClusterNotFoundFault"],
} as const;
