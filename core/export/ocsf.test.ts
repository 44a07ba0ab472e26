import { describe, expect, it } from "vitest";
import { detect } from "../../test/detections/harness.js";
import { SCENARIOS } from "../../test/fixtures/events/scenarios.js";
import { parseConfig } from "../config/load.js";
import { DETECTION_IDS } from "../model/catalog.js";
import type { Finding } from "../model/incident.js";
import { UnexportableFinding } from "./errors.js";
import { toOcsf, toValidOcsf, validateOcsf } from "./ocsf.js";

const options = { config: parseConfig({}), productVersion: "1.2.3" };

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    detection: "console-login-failure",
    category: "identity",
    severity: "low",
    title: "Console sign-in failed",
    time: "2024-05-01T10:02:00Z",
    eventIds: ["e-1"],
    account: "123456789012",
    region: "us-east-1",
    principal: "arn:aws:iam::123456789012:user/alice",
    resource: "arn:aws:iam::123456789012:user/alice",
    summary: "alice failed to sign in from 203.0.113.7",
    sourceIp: "203.0.113.7",
    facts: {},
    evidence: [],
    ...overrides,
  };
}

describe("toOcsf", () => {
  it("maps a finding to a valid OCSF 1.3.0 Detection Finding (class 2004, Create, New)", () => {
    const event = toOcsf(finding(), options);

    expect(validateOcsf(event)).toEqual([]);
    expect(event).toMatchObject({
      class_uid: 2004,
      category_uid: 2,
      activity_id: 1,
      type_uid: 200401,
      severity_id: 2,
      severity: "Low",
      status_id: 1,
      time: Date.parse("2024-05-01T10:02:00Z"),
      metadata: { version: "1.3.0", product: { name: "Riposte", vendor_name: "Riposte", version: "1.2.3" } },
      finding_info: {
        title: "Console sign-in failed",
        desc: "alice failed to sign in from 203.0.113.7",
        types: ["TTPs/Credential Access"],
        created_time: Date.parse("2024-05-01T10:02:00Z"),
        first_seen_time: Date.parse("2024-05-01T10:02:00Z"),
        analytic: { uid: "console-login-failure", name: "Console sign-in failed", type_id: 1, type: "Rule" },
      },
      resources: [
        { uid: "arn:aws:iam::123456789012:user/alice", name: "alice", type: "AwsIamUser", region: "us-east-1" },
      ],
      cloud: { provider: "AWS", region: "us-east-1", account: { uid: "123456789012", type_id: 10 } },
      actor: { user: { uid: "arn:aws:iam::123456789012:user/alice", name: "alice" } },
      evidences: [{ src_endpoint: { ip: "203.0.113.7" } }],
    });
    expect((event.finding_info as { uid: string }).uid).toMatch(/^console-login-failure-[0-9a-f]{32}$/);
  });

  it("severity ids follow OCSF's scale, and remediation is named where Riposte has an action", () => {
    const critical = toOcsf(finding({ severity: "critical" }), options);
    const info = toOcsf(finding({ severity: "info" }), options);
    const trail = toOcsf(
      finding({
        detection: "cloudtrail-tampering",
        category: "logging",
        resource: "main",
        facts: { trailName: "main" },
      }),
      options,
    );

    expect([critical.severity_id, info.severity_id]).toEqual([5, 1]);
    expect(trail.remediation).toEqual({ desc: expect.stringContaining("cloudtrail-start-logging") });
    expect(trail.resources).toEqual([
      expect.objectContaining({
        type: "AwsCloudTrailTrail",
        uid: "arn:aws:cloudtrail:us-east-1:123456789012:trail/main",
      }),
    ]);
  });

  it("keeps attacker-controlled text as data: lone surrogates replaced, nothing interpreted", () => {
    const event = toOcsf(finding({ summary: 'x\ud800"}\n{"class_uid":1', principal: "user/\udc00" }), options);

    expect(validateOcsf(event)).toEqual([]);
    expect(event.message).toBe('x\uFFFD"}\n{"class_uid":1');
    expect(JSON.parse(JSON.stringify(event)).class_uid).toBe(2004);
  });

  it("refuses a finding whose time is not a time", () => {
    expect(() => toValidOcsf(finding({ time: "soon" }), options)).toThrow(UnexportableFinding);
  });
});

describe("validateOcsf", () => {
  it.each([
    ["a missing finding_info", { finding_info: undefined }, "finding_info is required"],
    ["a wrong class", { class_uid: 2001, type_uid: 200101 }, "class_uid must be one of 2004"],
    ["an inconsistent type_uid", { type_uid: 200402 }, "type_uid must be class_uid * 100 + activity_id"],
    ["an unknown severity id", { severity_id: 7 }, "severity_id must be one of 0, 1, 2, 3, 4, 5, 6, 99"],
    ["a time as text", { time: "2024-05-01T10:02:00Z" }, "time must be epoch milliseconds"],
    ["metadata without product", { metadata: { version: "1.3.0" } }, "metadata.product is required"],
    [
      "a product without vendor",
      { metadata: { version: "1.3.0", product: { name: "R" } } },
      "metadata.product.vendor_name is required",
    ],
    [
      "another OCSF version",
      { metadata: { version: "1.1.0", product: { vendor_name: "R", name: "R" } } },
      'metadata.version must be "1.3.0"',
    ],
    ["a finding_info without title", { finding_info: { uid: "x" } }, "finding_info.title is required"],
    [
      "an analytic without type_id",
      { finding_info: { uid: "x", title: "t", analytic: { uid: "d" } } },
      "finding_info.analytic.type_id is required",
    ],
    ["a cloud without provider", { cloud: { region: "us-east-1" } }, "cloud.provider is required"],
    [
      "a resource with neither name nor uid",
      { resources: [{ type: "Other" }] },
      "resources[0] needs at least one of name, uid",
    ],
    ["an attribute OCSF does not have", { colour: "red" }, "colour is not an OCSF 1.3.0 attribute here"],
    [
      "a user with no name, uid or account",
      { actor: { user: { type: "User" } } },
      "actor.user needs at least one of account, name, uid",
    ],
  ])("reports %s", (_name, change, problem) => {
    const event: Record<string, unknown> = { ...toOcsf(finding(), options), ...change };
    for (const [key, value] of Object.entries(change)) if (value === undefined) delete event[key];

    expect(validateOcsf(event)).toEqual([expect.stringContaining(problem)]);
  });

  it("accepts every finding of every firing detection scenario", async () => {
    const seen = new Set<string>();
    for (const scenario of SCENARIOS.filter((candidate) => candidate.fires)) {
      const config = parseConfig(scenario.config ?? {});
      for (const found of await detect(scenario.records, { config })) {
        seen.add(found.detection);
        expect(validateOcsf(toOcsf(found, { config, productVersion: "1.2.3" })), `${scenario.name}`).toEqual([]);
      }
    }

    expect([...seen].sort()).toEqual([...DETECTION_IDS].sort());
  });
});
