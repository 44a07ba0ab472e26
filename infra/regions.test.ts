import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../core/config/load.js";
import { compilePattern } from "../core/patterns/compile.js";
import { matches } from "../core/patterns/match.js";
import {
  defaultBusArn,
  forwardingDeadLetterPolicy,
  forwardingDelivery,
  globalEventDetections,
  globalEventsProblem,
  regionForwardingRolePolicy,
  regionForwardings,
  watchedRegions,
} from "./regions.js";
import { deployedRules, TARGET_RETRY_POLICY } from "./rules.js";

describe("watching other regions", () => {
  it("forwards nothing unless regions are configured", () => {
    const config = parseConfig({});

    expect(config.aws.watchRegions).toEqual([]);
    expect(regionForwardings(config, "eu-west-1", deployedRules(config))).toEqual([]);
  });

  it("creates one forwarding rule per watched region, never one in the home region", () => {
    const config = parseConfig({ aws: { watchRegions: ["us-east-1", "eu-west-1", "us-east-1", "ap-southeast-2"] } });

    expect(watchedRegions(config, "eu-west-1")).toEqual(["us-east-1", "ap-southeast-2"]);
    expect(regionForwardings(config, "eu-west-1", deployedRules(config)).map((f) => f.region)).toEqual([
      "us-east-1",
      "ap-southeast-2",
    ]);
  });

  it("forwards global-service calls from us-east-1, with read-only calls when a rule wants them", () => {
    const config = parseConfig({ aws: { watchRegions: ["us-east-1"] } });
    const [forwarding] = regionForwardings(config, "eu-west-1", deployedRules(config));
    const pattern = compilePattern(JSON.parse(forwarding!.pattern));
    const event = (source: string, detailType: string) => ({
      source,
      "detail-type": detailType,
      region: "us-east-1",
      detail: {},
    });

    expect(matches(pattern, event("aws.iam", "AWS API Call via CloudTrail"))).toBe(true);
    expect(matches(pattern, event("aws.signin", "AWS Console Sign In via CloudTrail"))).toBe(true);
    expect(matches(pattern, event("aws.guardduty", "GuardDuty Finding"))).toBe(true);
    expect(matches(pattern, event("custom.app", "AWS API Call via CloudTrail"))).toBe(false);
    expect(forwarding!.state).toBe("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS");

    const writesOnly = parseConfig({ aws: { watchRegions: ["us-east-1"], readOnlyManagementEvents: false } });
    expect(regionForwardings(writesOnly, "eu-west-1", deployedRules(writesOnly))[0]!.state).toBe("ENABLED");
  });

  it("lets the forwarding role put events on the home default bus only", () => {
    const bus = defaultBusArn("aws", "eu-west-1", "123456789012");

    expect(bus).toBe("arn:aws:events:eu-west-1:123456789012:event-bus/default");
    expect(regionForwardingRolePolicy(bus).Statement).toEqual([
      { Sid: "ForwardToHomeRegion", Effect: "Allow", Action: "events:PutEvents", Resource: bus },
    ]);
  });

  it("refuses a region name that is not one, naming the setting", () => {
    expect(() => parseConfig({ aws: { watchRegions: ["us-east"] } })).toThrow(ConfigError);
    expect(() => parseConfig({ aws: { watchRegions: ["us-east"] } })).toThrow(/aws\.watchRegions/);
  });
});

describe("delivery from watched regions", () => {
  it("retries like every rule target, then keeps what failed in that region's queue", () => {
    const queue = "arn:aws:sqs:us-east-1:123456789012:prod-ForwardUsEast1DeadLetters";

    expect(forwardingDelivery(queue)).toEqual({ retryPolicy: TARGET_RETRY_POLICY, deadLetterConfig: { arn: queue } });
  });

  it("lets only the region's forwarding rule put undelivered events in its queue", () => {
    const rule = "arn:aws:events:us-east-1:123456789012:rule/prod-riposte-forward";
    const policy = forwardingDeadLetterPolicy("arn:aws:sqs:us-east-1:123456789012:q", rule);

    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: "events.amazonaws.com" },
        Action: "sqs:SendMessage",
        Condition: { ArnEquals: { "aws:SourceArn": rule } },
      }),
    ]);
  });
});

describe("identity events outside us-east-1", () => {
  const rules = (config: ReturnType<typeof parseConfig>) => deployedRules(config);

  it("refuses a deployment that would never see IAM, STS or console sign-in events, naming the setting", () => {
    const config = parseConfig({});

    const problem = globalEventsProblem(config, { partition: "aws", homeRegion: "eu-west-1" }, rules(config));

    expect(problem).toMatch(/^aws\.watchRegions must include us-east-1/);
    expect(problem).toContain("console-login-brute-force");
    expect(problem).toContain("access-key-created");
    expect(problem).not.toContain("sg-ssh-open-world");
  });

  it("accepts us-east-1 itself, us-east-1 watched, and a deployment with no identity rule", () => {
    const watching = parseConfig({ aws: { watchRegions: ["us-east-1"] } });
    const identityIds = globalEventDetections(parseConfig({}), rules(parseConfig({})));
    const noIdentity = parseConfig({
      detections: Object.fromEntries(identityIds.map((id) => [id, { enabled: false }])),
    });
    const at = (homeRegion: string, partition = "aws") => ({ partition, homeRegion });

    expect(globalEventsProblem(parseConfig({}), at("us-east-1"), rules(parseConfig({})))).toBeUndefined();
    expect(globalEventsProblem(watching, at("eu-west-1"), rules(watching))).toBeUndefined();
    expect(identityIds.length).toBeGreaterThan(5);
    expect(globalEventsProblem(noIdentity, at("eu-west-1"), rules(noIdentity))).toBeUndefined();
    expect(globalEventsProblem(parseConfig({}), at("us-gov-east-1", "aws-us-gov"), rules(parseConfig({})))).toMatch(
      /must include us-gov-west-1/,
    );
  });
});
