import { declareDetection, type Found, request, response } from "../declare.js";
import { accountOf, identityFacts, isObject, type Json, principalOf, quote, str } from "../record.js";

const present = (value: unknown) => value !== undefined && value !== null;

/**
 * Whether a PutBucketLogging request switches server access logging off: CloudTrail logs the
 * request body as `BucketLoggingStatus` (holding only `xmlns` when it is empty); logging stays on
 * only when it holds a `LoggingEnabled` element. A record without the body says nothing.
 */
export function disablesBucketLogging(record: Json): boolean {
  const status = request(record, "BucketLoggingStatus");
  if (!present(status)) return false;
  return !isObject(status) || !present(status.LoggingEnabled);
}

function logGroup(record: Json): Found {
  const logGroupName = str(request(record, "logGroupName"));
  return {
    resource: `arn:aws:logs:${str(record.awsRegion)}:${accountOf(record)}:log-group:${logGroupName}`,
    summary: `${quote(principalOf(record))} deleted CloudWatch Logs log group ${quote(logGroupName || "unknown", 100)}`,
    facts: { eventName: "DeleteLogGroup", ...identityFacts(record), logType: "log-group", logGroupName },
  };
}

function resolverQueryLogging(record: Json, eventName: string): Found {
  const configId = str(request(record, "resolverQueryLogConfigId"));
  const configArn =
    str(response(record, "resolverQueryLogConfig", "arn")) ||
    `arn:aws:route53resolver:${str(record.awsRegion)}:${accountOf(record)}:resolver-query-log-config/${configId}`;
  const actor = quote(principalOf(record));
  if (eventName === "DeleteResolverQueryLogConfig") {
    return {
      resource: configArn,
      summary: `${actor} deleted Route 53 Resolver query logging configuration ${quote(configId || "unknown", 40)}`,
      facts: {
        eventName,
        ...identityFacts(record),
        logType: "resolver-query-log-config",
        resolverQueryLogConfigId: configId,
      },
    };
  }
  const resourceId = str(request(record, "resourceId"));
  return {
    resource: configArn,
    summary: `${actor} stopped Route 53 Resolver query logging ${quote(configId || "unknown", 40)} for ${quote(resourceId || "unknown", 40)}`,
    facts: {
      eventName,
      ...identityFacts(record),
      logType: "resolver-query-log-association",
      resolverQueryLogConfigId: configId,
      resourceId,
    },
  };
}

export const logDeletion = declareDetection({
  id: "log-deletion",
  title: "Logs deleted or logging switched off",
  category: "logging",
  severity: "medium",
  attack: { id: "T1562.008", name: "Impair Defenses: Disable or Modify Cloud Logs" },
  asff: ["TTPs/Defense Evasion"],
  description:
    "A log source was removed: a CloudWatch Logs log group deleted (logs:DeleteLogGroup), Route 53 Resolver DNS query logging deleted or detached from a VPC (route53resolver:DeleteResolverQueryLogConfig / DisassociateResolverQueryLogConfig), or S3 server access logging switched off (s3:PutBucketLogging with a `BucketLoggingStatus` that holds no `LoggingEnabled`). PutBucketLogging that keeps or changes logging does not fire.",
  why: "Deleting logs destroys the evidence already collected (a deleted log group takes its events with it) and switching logging off hides what comes next — DNS queries to an attacker's domain, reads of a bucket's objects.",
  tuning:
    "Log groups are deleted routinely when stacks and functions are removed: acknowledge those, or run such clean-ups from a role named with `protection.toolRolePrefix`. The finding says what was deleted (`logType`, and `logGroupName`, `resolverQueryLogConfigId` with the VPC's `resourceId`, or `bucket`).",
  response: { mode: "notify" },
  calls: [
    { source: "aws.logs", names: ["DeleteLogGroup"] },
    {
      source: "aws.route53resolver",
      names: ["DeleteResolverQueryLogConfig", "DisassociateResolverQueryLogConfig"],
    },
    { source: "aws.s3", names: ["PutBucketLogging"] },
  ],
  match: (record) => {
    const eventName = str(record.eventName);
    if (eventName === "DeleteLogGroup") return logGroup(record);
    if (eventName === "PutBucketLogging") {
      if (!disablesBucketLogging(record)) return undefined;
      const bucket = str(request(record, "bucketName"));
      return {
        resource: bucket || "bucket",
        summary: `${quote(principalOf(record))} switched off server access logging on bucket ${quote(bucket || "unknown", 64)}`,
        facts: { eventName, ...identityFacts(record), logType: "s3-access-logging", bucket },
      };
    }
    return resolverQueryLogging(record, eventName);
  },
});
