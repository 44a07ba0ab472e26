import { describe, expect, it } from "vitest";
import { identity, record } from "../../../test/fixtures/events/cloudtrail.js";
import { parseConfig } from "../../config/load.js";
import { normalizeRecords } from "../../events/index.js";
import { compilePattern } from "../../patterns/compile.js";
import { matches } from "../../patterns/match.js";
import { detectionPattern } from "../catalog.js";
import type { DeclaredDetection } from "../declare.js";
import { ec2UserdataModified } from "./ec2-userdata-modified.js";
import { lambdaUrlPublic } from "./lambda-url-public.js";
import { route53DomainTransfer } from "./route53-domain-transfer.js";

/** lambda-url-public, route53-domain-transfer and ec2-userdata-modified on the shapes their calls are logged in. */

const config = parseConfig({});

function run(
  detection: DeclaredDetection,
  eventSource: string,
  eventName: string,
  request: unknown,
  response: unknown = null,
) {
  const envelope = normalizeRecords(
    record(eventSource, eventName, request, response, { user: identity.role("Developer", "bob") }),
  ).events[0]!.envelope;
  return {
    finding: detection.evaluate(envelope, config),
    selected: matches(compilePattern(detectionPattern(detection, config)), envelope),
  };
}

const ODD = [null, "x", 7, [], {}, { functionName: {}, authType: ["NONE"] }, { domainName: 5 }, { instanceId: [] }];

describe("lambda-url-public", () => {
  const lambda = (eventName: string, request: unknown, response: unknown = null) =>
    run(lambdaUrlPublic, "lambda.amazonaws.com", eventName, request, response);

  it("names the function, its alias and its URL", () => {
    const { finding, selected } = lambda(
      "UpdateFunctionUrlConfig20211031",
      { functionName: "billing-export", qualifier: "live", authType: "NONE" },
      {
        functionUrl: "https://abc.lambda-url.us-east-1.on.aws/",
        functionArn: "arn:aws:lambda:us-east-1:123456789012:function:billing-export:live",
        authType: "NONE",
      },
    );

    expect(selected).toBe(true);
    expect(finding).toMatchObject({
      resource: "arn:aws:lambda:us-east-1:123456789012:function:billing-export:live",
      summary:
        "arn:aws:sts::123456789012:assumed-role/Developer/bob made the URL of Lambda function billing-export:live public (auth type NONE)",
      facts: {
        eventName: "UpdateFunctionUrlConfig20211031",
        functionName: "billing-export",
        qualifier: "live",
        functionUrl: "https://abc.lambda-url.us-east-1.on.aws/",
        authType: "NONE",
        roleName: "Developer",
      },
    });
  });

  it("builds the ARN when the response has none, and reads a Create's auth type from its response", () => {
    expect(lambda("CreateFunctionUrlConfig20211031", { functionName: "f", authType: "NONE" }).finding?.resource).toBe(
      "arn:aws:lambda:us-east-1:123456789012:function:f",
    );
    expect(lambda("CreateFunctionUrlConfig", { functionName: "f" }, { authType: "NONE" }).finding).toBeDefined();
    expect(
      lambda("UpdateFunctionUrlConfig20211031", { functionName: "f" }, { authType: "NONE" }).finding,
    ).toBeUndefined();
    expect(lambda("GetFunctionUrlConfig20211031", { functionName: "f", authType: "NONE" }).selected).toBe(false);
  });

  it("never throws on odd shapes", () => {
    for (const request of ODD) {
      for (const response of [null, "x", { functionArn: 5, authType: "NONE" }]) {
        expect(() => lambda("CreateFunctionUrlConfig20211031", request, response)).not.toThrow();
      }
    }
  });
});

describe("route53-domain-transfer", () => {
  const domains = (eventName: string, request: unknown, eventSource = "route53domains.amazonaws.com") =>
    run(route53DomainTransfer, eventSource, eventName, request, { operationId: "op-1" });

  it("names the domain and the account it is going to", () => {
    const { finding, selected } = domains("TransferDomainToAnotherAwsAccount", {
      domainName: "example.com",
      accountId: "999988887777",
    });

    expect(selected).toBe(true);
    expect(finding).toMatchObject({
      resource: "example.com",
      summary:
        "arn:aws:sts::123456789012:assumed-role/Developer/bob started transferring domain example.com to AWS account 999988887777",
      facts: {
        eventName: "TransferDomainToAnotherAwsAccount",
        domainName: "example.com",
        targetAccountId: "999988887777",
        operationId: "op-1",
      },
    });
  });

  it("reads both event name spellings, both domain shapes and both event sources", () => {
    for (const [eventName, request, source] of [
      ["disableDomainTransferLock", { domainName: { name: "example.com" } }, "route53domains.amazonaws.com"],
      ["DisableDomainTransferLock", { domainName: "example.com" }, "route53.amazonaws.com"],
    ] as const) {
      expect(domains(eventName, request, source)).toMatchObject({
        selected: true,
        finding: { facts: { domainName: "example.com", eventName } },
      });
    }
    // Another service's call of the same name is not a domain call.
    expect(domains("DisableDomainTransferLock", { domainName: "example.com" }, "ec2.amazonaws.com").selected).toBe(
      false,
    );
  });

  it("never throws on odd shapes", () => {
    for (const request of ODD) expect(() => domains("DisableDomainTransferLock", request)).not.toThrow();
    expect(domains("DisableDomainTransferLock", null).finding?.resource).toBe("route53-domain");
  });
});

describe("ec2-userdata-modified", () => {
  const modify = (request: unknown) =>
    run(ec2UserdataModified, "ec2.amazonaws.com", "ModifyInstanceAttribute", request);

  it("names the instance whose user data was replaced", () => {
    expect(modify({ instanceId: "i-0abc", userData: "<sensitiveDataRemoved>" })).toMatchObject({
      selected: true,
      finding: {
        resource: "i-0abc",
        summary: "arn:aws:sts::123456789012:assumed-role/Developer/bob replaced the user data of instance i-0abc",
        facts: { eventName: "ModifyInstanceAttribute", instanceId: "i-0abc" },
      },
    });
    expect(modify({ instanceId: "i-0abc", userData: { value: "IyEvYmluL2Jhc2g=" } }).finding).toBeDefined();
    expect(modify({ instanceId: "i-0abc", attribute: "USERDATA", value: "x" }).finding).toBeDefined();
  });

  it("leaves other attributes out", () => {
    for (const request of [
      { instanceId: "i-0abc", userData: null },
      { instanceId: "i-0abc", instanceType: { value: "t3.large" } },
      { instanceId: "i-0abc", attribute: "instanceInitiatedShutdownBehavior", value: "terminate" },
      { instanceId: "i-0abc", attribute: "userDataX" },
    ]) {
      expect(modify(request).finding, JSON.stringify(request)).toBeUndefined();
    }
  });

  it("never throws on odd shapes", () => {
    for (const request of ODD) expect(() => modify(request)).not.toThrow();
    expect(modify({ instanceId: 5, userData: "" }).finding?.resource).toBe("instance");
  });
});
