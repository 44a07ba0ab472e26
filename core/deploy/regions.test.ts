import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../config/load.js";
import { compilePattern } from "../patterns/compile.js";
import { matches } from "../patterns/match.js";
import { defaultBusArn, regionForwardingRolePolicy, regionForwardings, watchedRegions } from "./regions.js";
import { deployedRules } from "./rules.js";

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
