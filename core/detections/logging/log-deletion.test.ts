import { describe, expect, it } from "vitest";
import { detect, of } from "../../../test/detections/harness.js";
import { record } from "../../../test/fixtures/events/cloudtrail.js";
import { disablesBucketLogging } from "./log-deletion.js";

const XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";
const putBucketLogging = (requestParameters: unknown) =>
  record("s3.amazonaws.com", "PutBucketLogging", requestParameters, null);

describe("disablesBucketLogging", () => {
  it.each([
    ["a status holding only xmlns", { bucketName: "b", BucketLoggingStatus: { xmlns: XMLNS } }, true],
    ["an empty status element", { bucketName: "b", BucketLoggingStatus: "" }, true],
    ["an empty status object", { bucketName: "b", BucketLoggingStatus: {} }, true],
    ["a status with LoggingEnabled null", { bucketName: "b", BucketLoggingStatus: { LoggingEnabled: null } }, true],
    [
      "a status with LoggingEnabled",
      {
        bucketName: "b",
        BucketLoggingStatus: { xmlns: XMLNS, LoggingEnabled: { TargetBucket: "logs", TargetPrefix: "" } },
      },
      false,
    ],
    ["no status at all", { bucketName: "b" }, false],
    ["a null status", { bucketName: "b", BucketLoggingStatus: null }, false],
    ["null requestParameters", null, false],
    ["a string requestParameters", "BucketLoggingStatus", false],
  ])("%s", (_name, requestParameters, expected) => {
    expect(disablesBucketLogging(putBucketLogging(requestParameters))).toBe(expected);
  });
});

describe("log-deletion", () => {
  it("says what was deleted", async () => {
    const findings = await detect([
      record("logs.amazonaws.com", "DeleteLogGroup", { logGroupName: "/aws/lambda/payments" }, null),
      putBucketLogging({ bucketName: "customer-data", BucketLoggingStatus: { xmlns: XMLNS } }),
      record(
        "route53resolver.amazonaws.com",
        "DisassociateResolverQueryLogConfig",
        { resolverQueryLogConfigId: "rqlc-1", resourceId: "vpc-1" },
        null,
      ),
      record(
        "route53resolver.amazonaws.com",
        "DeleteResolverQueryLogConfig",
        { resolverQueryLogConfigId: "rqlc-1" },
        null,
      ),
    ]);

    expect(of(findings, "log-deletion").map((finding) => [finding.resource, finding.facts])).toEqual([
      [
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/payments",
        expect.objectContaining({
          eventName: "DeleteLogGroup",
          logType: "log-group",
          logGroupName: "/aws/lambda/payments",
        }),
      ],
      [
        "customer-data",
        expect.objectContaining({
          eventName: "PutBucketLogging",
          logType: "s3-access-logging",
          bucket: "customer-data",
        }),
      ],
      [
        "arn:aws:route53resolver:us-east-1:123456789012:resolver-query-log-config/rqlc-1",
        expect.objectContaining({
          logType: "resolver-query-log-association",
          resolverQueryLogConfigId: "rqlc-1",
          resourceId: "vpc-1",
        }),
      ],
      [
        "arn:aws:route53resolver:us-east-1:123456789012:resolver-query-log-config/rqlc-1",
        expect.objectContaining({ logType: "resolver-query-log-config", resolverQueryLogConfigId: "rqlc-1" }),
      ],
    ]);
  });
});
