import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "./load.js";

/**
 * Settings valid one by one but not together: the CloudTrail LookupEvents poll reads the end of
 * each window again (`overlapMinutes`, up to one `intervalSeconds` later), and only the inbox's
 * memory of processed events (`runtime.dedupeHours`) keeps those events from being detected twice.
 */
describe("configuration: settings checked together", () => {
  function issuesOf(value: unknown): string[] {
    try {
      parseConfig(value);
    } catch (error) {
      if (error instanceof ConfigError) return error.issues;
      throw error;
    }
    return [];
  }

  it("accepts the defaults and a memory just longer than the poll's overlap plus interval", () => {
    expect(issuesOf({})).toEqual([]);
    expect(
      issuesOf({
        runtime: { dedupeHours: 0.5 },
        sources: { cloudtrailPoll: { enabled: true, overlapMinutes: 20, intervalSeconds: 600 } },
      }),
    ).toEqual([]);
  });

  it("refuses a dedupe memory shorter than the poll reads again, naming both settings", () => {
    const issues = issuesOf({
      runtime: { dedupeHours: 0.25 },
      sources: { cloudtrailPoll: { enabled: true, overlapMinutes: 20, intervalSeconds: 60 } },
    });

    expect(issues).toEqual([
      "runtime.dedupeHours: 0.25 h is shorter than the CloudTrail poll's overlap plus interval " +
        "(sources.cloudtrailPoll.overlapMinutes + intervalSeconds: 21 min), so events it reads twice would be detected twice",
    ]);
  });

  it("refuses it even with the poll off in the file, since --cloudtrail-poll can turn it on", () => {
    expect(() => parseConfig({ runtime: { dedupeHours: 0.1 } }, "configuration file x.json")).toThrow(
      /^configuration file x\.json is invalid:\n {2}runtime\.dedupeHours: 0\.1 h is shorter/,
    );
  });
});

describe("configuration: SNS topic", () => {
  const topic = (topicArn: string) => parseConfig({ notify: { sns: { topicArn } } }).notify.sns?.topicArn;

  it("accepts standard and FIFO topic ARNs, in every partition", () => {
    expect(topic("arn:aws:sns:eu-west-1:123456789012:riposte-alerts")).toBe(
      "arn:aws:sns:eu-west-1:123456789012:riposte-alerts",
    );
    expect(topic("arn:aws:sns:eu-west-1:123456789012:riposte-alerts.fifo")).toMatch(/\.fifo$/);
    expect(topic("arn:aws-us-gov:sns:us-gov-west-1:123456789012:alerts")).toBeDefined();
  });

  it("refuses what is not a topic ARN, naming the setting", () => {
    for (const bad of [
      "riposte-alerts",
      "arn:aws:sns:eu-west-1:123456789012:alerts.json",
      "arn:aws:sqs:eu-west-1:123456789012:alerts",
      "arn:aws:sns:eu-west-1:12345:alerts",
    ]) {
      expect(() => topic(bad), bad).toThrow(/notify\.sns\.topicArn: expected an SNS topic ARN/);
    }
  });
});

describe("configuration: the README's example", () => {
  it("is a valid configuration file", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const example = /### An example configuration\s+```json\n([\s\S]*?)\n```/.exec(readme)?.[1];
    expect(example, "README has an example configuration").toBeDefined();
    const config = parseConfig(JSON.parse(example!), "README example");
    expect(config.remediation.mode).toBe("dry-run");
  });
});

describe("configuration: Config rules about world-open ingress", () => {
  const rules = (value: unknown) =>
    parseConfig({ network: { worldOpenConfigRules: value } }).network.worldOpenConfigRules;

  it("defaults to the managed rules and Security Hub's EC2.13, EC2.14, EC2.18 and EC2.19 rules", () => {
    expect(parseConfig({}).network.worldOpenConfigRules).toEqual([
      "restricted-ssh",
      "restricted-common-ports",
      "vpc-sg-open-only-to-authorized-ports",
      "vpc-sg-port-restriction-check",
      "securityhub-restricted-ssh-",
      "securityhub-restricted-rdp-",
      "securityhub-vpc-sg-open-only-to-authorized-ports-",
      "securityhub-vpc-sg-restricted-common-ports-",
    ]);
    expect(rules(["acme-sg_world"])).toEqual(["acme-sg_world"]);
  });

  it("refuses an empty list and what cannot start a Config rule name, naming the setting", () => {
    expect(() => rules([])).toThrow(/network\.worldOpenConfigRules: /);
    for (const bad of ["", "restricted ssh", "restricted-ssh*", "x".repeat(129)]) {
      expect(() => rules([bad]), bad).toThrow(
        /network\.worldOpenConfigRules\.0: expected a Config rule name prefix \(letters, digits, - and _, 1-128 characters\)/,
      );
    }
  });
});

describe("configuration: ec2-gpu-launch thresholds", () => {
  const gpu = (value: unknown) => parseConfig({ thresholds: { ec2GpuLaunch: value } }).thresholds.ec2GpuLaunch;

  it("defaults to the GPU and machine learning families and ten instances", () => {
    expect(parseConfig({}).thresholds.ec2GpuLaunch).toEqual({
      families: ["p", "g", "gr", "inf", "trn", "dl"],
      maxCount: 10,
    });
    expect(gpu({ families: ["f", "vt"], maxCount: 25 })).toEqual({ families: ["f", "vt"], maxCount: 25 });
    expect(gpu({ families: [] }).families).toEqual([]);
  });

  it("refuses what is not an instance family and counts below two, naming the setting", () => {
    for (const bad of ["", "G", "g5", "g.xlarge", "p*"]) {
      expect(() => gpu({ families: [bad] }), bad).toThrow(
        /thresholds\.ec2GpuLaunch\.families\.0: expected an instance family: lowercase letters such as g or inf/,
      );
    }
    for (const bad of [1, 0, 2.5, "10"]) {
      expect(() => gpu({ maxCount: bad }), String(bad)).toThrow(/thresholds\.ec2GpuLaunch\.maxCount: /);
    }
    expect(() => gpu({ family: ["g"] })).toThrow(/thresholds\.ec2GpuLaunch/);
  });
});

describe("configuration: rules per event bus", () => {
  it("defaults to EventBridge's default quota and takes a raised one, a whole number from 1 to 10,000", () => {
    expect(parseConfig({}).rules.maxPerBus).toBe(300);
    expect(parseConfig({ rules: { maxPerBus: 500 } }).rules.maxPerBus).toBe(500);
    for (const bad of [0, 2.5, 10_001, "500"]) {
      expect(() => parseConfig({ rules: { maxPerBus: bad } }), String(bad)).toThrow(/rules\.maxPerBus: /);
    }
  });
});
