import { describe, expect, it } from "vitest";
import { detect } from "../../test/detections/harness.js";
import { SCENARIOS } from "../../test/fixtures/events/scenarios.js";
import { parseConfig } from "../config/load.js";
import { ASFF_TYPE_TAXONOMY } from "../model/asff-taxonomy.js";
import { DETECTION_IDS } from "../model/catalog.js";
import type { Finding } from "../model/incident.js";
import { ASFF_LIMITS, toAsff, toValidAsff, validateAsff } from "./asff.js";
import { asffTypesOf } from "./asff-types.js";
import { UnexportableFinding } from "./errors.js";

const config = parseConfig({});

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    detection: "sg-ssh-open-world",
    category: "network",
    severity: "high",
    title: "SSH open to the world",
    time: "2024-05-01T10:01:00Z",
    eventIds: ["e-1"],
    account: "123456789012",
    region: "us-east-1",
    principal: "arn:aws:iam::123456789012:user/alice",
    resource: "sg-0abc",
    summary: "alice opened port 22 to 0.0.0.0/0 on sg-0abc",
    facts: { groupId: "sg-0abc", rules: [{ ipProtocol: "tcp", fromPort: 22, toPort: 22, cidr: "0.0.0.0/0" }] },
    evidence: [],
    ...overrides,
  };
}

describe("toAsff", () => {
  it("maps a finding to a complete, valid ASFF finding under the account's default product", () => {
    const asff = toAsff(finding(), config);

    expect(validateAsff(asff)).toEqual([]);
    expect(asff).toMatchObject({
      SchemaVersion: "2018-10-08",
      ProductArn: "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default",
      GeneratorId: "sg-ssh-open-world",
      AwsAccountId: "123456789012",
      Types: [
        "Software and Configuration Checks/AWS Security Best Practices/Network Reachability",
        "TTPs/Defense Evasion",
      ],
      CreatedAt: "2024-05-01T10:01:00.000Z",
      UpdatedAt: "2024-05-01T10:01:00.000Z",
      FirstObservedAt: "2024-05-01T10:01:00.000Z",
      Severity: { Label: "HIGH", Normalized: 70 },
      Title: "SSH open to the world",
      Description: "alice opened port 22 to 0.0.0.0/0 on sg-0abc",
      Workflow: { Status: "NEW" },
      RecordState: "ACTIVE",
      FindingProviderFields: {
        Severity: { Label: "HIGH", Original: "high" },
        Types: [
          "Software and Configuration Checks/AWS Security Best Practices/Network Reachability",
          "TTPs/Defense Evasion",
        ],
      },
    });
    expect(asff.Resources).toEqual([
      {
        Type: "AwsEc2SecurityGroup",
        Id: "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0abc",
        Partition: "aws",
        Region: "us-east-1",
      },
      { Type: "AwsIamUser", Id: "arn:aws:iam::123456789012:user/alice", Partition: "aws", Region: "us-east-1" },
    ]);
    expect(asff.ProductFields).toMatchObject({ "riposte/detection": "sg-ssh-open-world", "riposte/eventIds": "e-1" });
    expect(asff.Remediation?.Recommendation.Text).toContain("revoke-sg-rules");
  });

  it("gives the same Id to the same events and different Ids to different ones", () => {
    const a = toAsff(finding({ eventIds: ["e-1", "e-2"] }), config);
    const again = toAsff(finding({ eventIds: ["e-2", "e-1"] }), config);
    const other = toAsff(finding({ eventIds: ["e-3"] }), config);
    // Log lines without ids are named by file and line: another day's access.log:1 is another finding.
    const otherDay = toAsff(finding({ eventIds: ["e-1", "e-2"], time: "2024-05-02T10:01:00Z" }), config);
    const otherAccount = toAsff(finding({ eventIds: ["e-1", "e-2"], account: "210987654321" }), config);

    expect(again.Id).toBe(a.Id);
    expect(new Set([a.Id, other.Id, otherDay.Id, otherAccount.Id]).size).toBe(4);
    expect(a.ProductFields["riposte/incidentId"]).toMatch(/^sg-ssh-open-world-[0-9a-f]{20}$/);
  });

  it("names buckets, objects, keys, users and the account as ASFF resource types, in the right partition", () => {
    const bucket = toAsff(
      finding({
        detection: "s3-bucket-policy-public",
        category: "storage",
        resource: "data",
        facts: { bucket: "data" },
      }),
      config,
    );
    const object = toAsff(
      finding({
        detection: "s3-object-acl-public",
        category: "storage",
        resource: "data/a.txt",
        facts: { bucket: "data", key: "a.txt" },
        region: "cn-north-1",
      }),
      config,
    );
    const key = toAsff(
      finding({ detection: "access-key-created", category: "identity", resource: "AKIAIOSFODNN7EXAMPLE", facts: {} }),
      config,
    );
    const user = toAsff(
      finding({ detection: "mfa-deactivated", category: "identity", resource: "user/bob", principal: "" }),
      config,
    );
    const none = toAsff(
      finding({ detection: "console-login-failure", category: "identity", resource: "", principal: "" }),
      config,
    );

    expect(bucket.Resources[0]).toMatchObject({ Type: "AwsS3Bucket", Id: "arn:aws:s3:::data" });
    expect(object.Resources[0]).toMatchObject({
      Type: "AwsS3Object",
      Id: "arn:aws-cn:s3:::data/a.txt",
      Partition: "aws-cn",
    });
    expect(object.ProductArn).toBe("arn:aws-cn:securityhub:cn-north-1:123456789012:product/123456789012/default");
    expect(key.Resources[0]).toMatchObject({ Type: "AwsIamAccessKey", Id: "AKIAIOSFODNN7EXAMPLE" });
    expect(user.Resources).toEqual([
      expect.objectContaining({ Type: "AwsIamUser", Id: "arn:aws:iam::123456789012:user/bob" }),
    ]);
    expect(none.Resources).toEqual([
      expect.objectContaining({ Type: "AwsAccount", Id: "AWS::::Account:123456789012" }),
    ]);
  });

  it("keeps attacker-controlled text as data, cut to the limits without splitting a surrogate pair", () => {
    // 1023 ASCII characters then an emoji: a naive cut at 1024 keeps half of the pair.
    const summary = `${"x".repeat(1022)}\u{1F600}\u{1F600}"\n<script>`;
    const asff = toAsff(
      finding({ summary, principal: `arn:aws:iam::123456789012:user/${"\ud800".repeat(3)}` }),
      config,
    );

    expect(validateAsff(asff)).toEqual([]);
    expect(asff.Description.length).toBeLessThanOrEqual(ASFF_LIMITS.description);
    expect(asff.Description.endsWith("\u{1F600}…") || asff.Description.endsWith("x…")).toBe(true);
    expect(asff.ProductFields["riposte/principal"]).toBe("arn:aws:iam::123456789012:user/\uFFFD\uFFFD\uFFFD");
    expect(JSON.parse(JSON.stringify(asff)).Description).toBe(asff.Description);
  });

  it("places findings whose logs name no account or region where the caller says, and only those", () => {
    const place = { account: "210987654321", region: "eu-west-1" };

    const unplaced = toAsff(finding({ account: "", region: "" }), config, place);
    const placedAlready = toAsff(finding(), config, place);

    expect(unplaced).toMatchObject({
      AwsAccountId: "210987654321",
      ProductArn: "arn:aws:securityhub:eu-west-1:210987654321:product/210987654321/default",
    });
    expect(unplaced.Resources[0]).toMatchObject({ Region: "eu-west-1" });
    expect(placedAlready).toMatchObject({ AwsAccountId: "123456789012" });
    expect(placedAlready.Resources[0]).toMatchObject({ Region: "us-east-1" });
  });

  it("refuses, naming the problems, a finding Security Hub would reject", () => {
    const bad = finding({ account: "", region: "nowhere", time: "yesterday" });

    expect(() => toValidAsff(bad, config)).toThrow(UnexportableFinding);
    expect(() => toValidAsff(bad, config)).toThrow(
      /account "" is not a 12-digit id; region "nowhere" is not an AWS region; time "yesterday" is not a timestamp/,
    );
  });
});

describe("validateAsff", () => {
  it.each([
    ["a missing required attribute", { Title: undefined }, "Title is required"],
    ["a Title over 256 characters", { Title: "t".repeat(257) }, "Title is longer than 256 characters"],
    ["a blank Description", { Description: "   " }, "Description must contain a non-space character"],
    ["an account id that is not 12 digits", { AwsAccountId: "12345" }, "AwsAccountId must be a 12-digit account id"],
    ["an unknown Types namespace", { Types: ["Threats/Bad"] }, 'Types[0] namespace "Threats" is not one of'],
    ["an empty Types list", { Types: [] }, "Types must be a non-empty array"],
    ["a time that is not RFC 3339", { CreatedAt: "2024-05-01 10:00" }, "CreatedAt must be an RFC 3339 timestamp"],
    ["an unknown severity label", { Severity: { Label: "SEVERE" } }, "Severity.Label must be one of"],
    ["a Normalized severity over 100", { Severity: { Normalized: 101 } }, "Severity.Normalized must be an integer"],
    ["no resources", { Resources: [] }, "Resources must be a non-empty array"],
    ["a resource without an Id", { Resources: [{ Type: "Other" }] }, "Resources[0].Id is required"],
    [
      "an unknown partition",
      { Resources: [{ Type: "Other", Id: "x", Partition: "aws-mars" }] },
      "Partition must be one of",
    ],
    [
      "a product field over 2048 characters",
      { ProductFields: { k: "v".repeat(2049) } },
      'ProductFields["k"] is longer than 2048',
    ],
    ["an unknown workflow status", { Workflow: { Status: "OPEN" } }, "Workflow.Status must be one of"],
    ["a lone surrogate", { Title: "a\ud800b" }, "Title has an unpaired surrogate"],
    ["a wrong schema version", { SchemaVersion: "2020-01-01" }, 'SchemaVersion must be "2018-10-08"'],
    ["a product ARN of another service", { ProductArn: "arn:aws:s3:::bucket" }, "ProductArn must be arn:"],
    [
      "provider fields with an unknown type",
      { FindingProviderFields: { Types: ["Bad"], Severity: { Label: "HIGH" } } },
      'FindingProviderFields.Types[0] namespace "Bad"',
    ],
    [
      "a finding over 240 KB",
      { UserDefinedFields: { big: "x".repeat(240 * 1024) } },
      "the finding is larger than 240 KB",
    ],
  ])("reports %s", (_name, change, problem) => {
    const asff: Record<string, unknown> = { ...toAsff(finding(), config), ...change };
    for (const [key, value] of Object.entries(change)) if (value === undefined) delete asff[key];

    expect(validateAsff(asff)).toEqual([expect.stringContaining(problem)]);
  });

  it("maps every detection to types of the ASFF taxonomy", () => {
    for (const id of DETECTION_IDS) {
      for (const type of asffTypesOf(id)) {
        const [namespace, category] = type.split("/") as [keyof typeof ASFF_TYPE_TAXONOMY, string | undefined];
        expect(Object.keys(ASFF_TYPE_TAXONOMY), `${id}: ${type}`).toContain(namespace);
        if (category) expect(ASFF_TYPE_TAXONOMY[namespace] as readonly string[], `${id}: ${type}`).toContain(category);
      }
    }
  });

  it("accepts every finding of every firing detection scenario", async () => {
    const seen = new Set<string>();
    for (const scenario of SCENARIOS.filter((candidate) => candidate.fires)) {
      const scenarioConfig = parseConfig(scenario.config ?? {});
      for (const found of await detect(scenario.records, { config: scenarioConfig })) {
        seen.add(found.detection);
        // Some records name no account or region (ALB access logs, WAF records as read here):
        // the scan's --account and --region supply them.
        const asff = toAsff(found, scenarioConfig, { account: "123456789012", region: "us-east-1" });
        expect(validateAsff(asff), `${scenario.detection}: ${scenario.name}`).toEqual([]);
      }
    }

    expect([...seen].sort()).toEqual([...DETECTION_IDS].sort());
  });
});
