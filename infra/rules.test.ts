import { describe, expect, it } from "vitest";
import { parseConfig } from "../core/config/load.js";
import { CATALOG, detectionPattern, getDetection } from "../core/detections/catalog.js";
import { normalizeRecords } from "../core/events/index.js";
import { DETECTION_IDS, type DetectionId } from "../core/model/catalog.js";
import { isToolRuleName } from "../core/model/rule-names.js";
import { WorkflowInputSchema } from "../core/model/tasks.js";
import { compilePattern } from "../core/patterns/compile.js";
import { matches } from "../core/patterns/match.js";
import { SCENARIOS } from "../test/fixtures/events/scenarios.js";
import { deploymentPlan } from "./plan.js";
import {
  CORRELATED_STATELESS,
  deployedRules,
  hasLoopPrevention,
  intakeOnlyDetections,
  MAX_PATTERN_CHARS,
  READ_ONLY_RULE_ID,
  ruleArnPatterns,
  ruleName,
  rulesQueuePolicy,
  workflowInputTemplate,
} from "./rules.js";

/** Events of these sources carry no principal: there is no actor to keep out. */
const NO_ACTOR_SOURCES = new Set(["aws.config", "aws.securityhub", "riposte.vpcflow", "riposte.waf", "riposte.alb"]);

function sourcesOf(pattern: Record<string, unknown>): string[] {
  return ((pattern.source as unknown[] | undefined) ?? []).filter(
    (value): value is string => typeof value === "string",
  );
}

describe("deployedRules", () => {
  const config = parseConfig({});
  const rules = deployedRules(config);

  it("serves each detection an AWS event can fire with exactly one rule, stateless ones to their workflow, stateful ones to the correlate queue", () => {
    expect(rules.flatMap((rule) => rule.detections).sort()).toEqual(
      DETECTION_IDS.filter((id) => !intakeOnlyDetections(config).includes(id)).sort(),
    );
    for (const rule of rules) {
      expect(rule.detection).toBe(rule.detections[0]);
      for (const detection of rule.detections) {
        const definition = getDetection(detection as DetectionId);
        expect(rule.stateful).toBe(definition.stateful);
        const queued = definition.stateful || CORRELATED_STATELESS.includes(definition.id);
        expect(rule.target.kind).toBe(queued ? "correlate" : "workflow");
        if (rule.target.kind === "workflow") expect(rule.target.category).toBe(definition.category);
      }
    }
    expect(rules.filter((rule) => !rule.stateful)).toHaveLength(CATALOG.filter((d) => !d.stateful).length);
    for (const id of CORRELATED_STATELESS) {
      expect(getDetection(id)).toMatchObject({ stateful: false, category: "network" });
    }
    expect(intakeOnlyDetections(config)).toEqual(["web-scanning"]);
  });

  it("gives every rule a unique PascalCase logical name", () => {
    const names = rules.map((rule) => rule.logicalName);

    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[A-Z][A-Za-z0-9]*$/);
  });

  it("deploys only patterns Riposte's matcher compiles and EventBridge's size quota accepts", () => {
    for (const rule of rules) {
      expect(() => compilePattern(JSON.parse(rule.pattern)), rule.detection).not.toThrow();
      expect(rule.pattern.length, rule.detection).toBeLessThanOrEqual(MAX_PATTERN_CHARS);
    }
  });

  it("keeps Riposte's own role out of every rule whose events have an actor", () => {
    for (const rule of rules) {
      const fire = detectionPattern(getDetection(rule.detection), config);
      const actorless = sourcesOf(fire).length > 0 && sourcesOf(fire).every((source) => NO_ACTOR_SOURCES.has(source));
      if (actorless) continue;
      expect(hasLoopPrevention(fire, "riposte-"), rule.detection).toBe(true);
      // The deployed pattern holds the firing pattern (stateful rules add what they learn from).
      expect(hasLoopPrevention(JSON.parse(rule.pattern), "riposte-"), rule.detection).toBe(true);
    }
    const exempt = rules.filter((rule) => !hasLoopPrevention(JSON.parse(rule.pattern), "riposte-"));
    // Security Hub control findings name no actor; its own findings are kept out by product (securityhub.ts).
    expect(exempt.map((rule) => rule.detection).sort()).toEqual([
      "config-sg-open-to-world",
      "securityhub-finding",
      "sg-open-then-connection",
    ]);
  });

  it("follows the configured role prefix and leaves disabled detections undeployed", () => {
    const custom = parseConfig({
      protection: { toolRolePrefix: "secops-auto-" },
      detections: { "root-account-usage": { enabled: false } },
    });

    const customRules = deployedRules(custom);

    expect(customRules.flatMap((rule) => rule.detections)).not.toContain("root-account-usage");
    expect(customRules.flatMap((rule) => rule.detections)).toHaveLength(
      DETECTION_IDS.length - 1 - intakeOnlyDetections(custom).length,
    );
    const rule = customRules.find((candidate) => candidate.detection === "sg-ssh-open-world");
    expect(hasLoopPrevention(JSON.parse(rule?.pattern ?? "{}"), "secops-auto-")).toBe(true);
    expect(hasLoopPrevention(JSON.parse(rule?.pattern ?? "{}"), "riposte-")).toBe(false);
  });
});

describe("forged events", () => {
  const rules = deployedRules(parseConfig({}));
  // Every scenario's AWS events, as EventBridge delivers them.
  const envelopes = SCENARIOS.flatMap(
    (scenario) =>
      normalizeRecords(scenario.records.filter((record) => typeof record === "object" && record !== null)).events,
  ).map((event) => event.envelope as unknown as Record<string, unknown>);
  const selectedBy = (event: Record<string, unknown>) =>
    rules.filter((rule) => matches(compilePattern(JSON.parse(rule.pattern)), event)).map((rule) => rule.detection);

  it("select no rule: anyone allowed events:PutEvents chooses any source but aws.", () => {
    const sample = {
      version: "0",
      id: "forged-1",
      account: "111122223333",
      time: "2026-03-10T14:29:00Z",
      region: "us-east-1",
      resources: [],
    };
    const forgeries = [
      {
        ...sample,
        source: "riposte.waf",
        "detail-type": "WAF Log Record",
        detail: { action: "ALLOW", httpRequest: {} },
      },
      { ...sample, source: "riposte.vpcflow", "detail-type": "VPC Flow Log Record", detail: { action: "ACCEPT" } },
      {
        ...sample,
        source: "forged.app",
        "detail-type": "AWS API Call via CloudTrail",
        detail: { userIdentity: { type: "Root" }, eventName: "ConsoleLogin", eventSource: "signin.amazonaws.com" },
      },
    ];

    for (const forged of forgeries) expect(selectedBy(forged), forged.source).toEqual([]);
    expect(envelopes.filter((envelope) => selectedBy(envelope).length > 0).length).toBeGreaterThan(100);
    for (const envelope of envelopes) {
      expect(selectedBy({ ...envelope, source: "forged.app" }), JSON.stringify(envelope).slice(0, 120)).toEqual([]);
    }
  });

  it("keep the AWS half of a detection that also reads Riposte's log records", () => {
    const rule = rules.find((candidate) => candidate.detection === "sg-open-then-connection");

    expect(rule?.pattern).not.toContain("riposte.vpcflow");
    expect(rule?.pattern).toContain("aws.ec2");
  });
});

describe("the queues' policies", () => {
  const where = {
    partition: "aws",
    region: "eu-west-1",
    account: "123456789012",
    stage: "prod",
    organizationBusName: "prod-riposte-organization",
  };
  /** IAM's ArnLike: `*` any run of characters, `?` one, each colon-separated part on its own. */
  const arnLike = (pattern: string, arn: string) => {
    const parts = pattern.split(":");
    const values = arn.split(":");
    return (
      parts.length === values.length &&
      parts.every((part, index) =>
        new RegExp(
          `^${part
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".")}$`,
        ).test(values[index]!),
      )
    );
  };
  const ruleArns = (stage: string) =>
    deployedRules(parseConfig({})).flatMap((rule) => [
      `arn:aws:events:eu-west-1:123456789012:rule/${ruleName(stage, rule.detection)}`,
      `arn:aws:events:eu-west-1:123456789012:rule/${stage}-riposte-organization/${ruleName(stage, rule.detection)}`,
    ]);

  it("admit every rule of the stage, on both buses, and no other stage's", () => {
    const patterns = ruleArnPatterns(where);
    const admitted = (arn: string) => patterns.some((pattern) => arnLike(pattern, arn));

    for (const arn of ruleArns("prod")) expect(admitted(arn), arn).toBe(true);
    for (const arn of ruleArns("dev")) expect(admitted(arn), arn).toBe(false);
    expect(admitted("arn:aws:events:eu-west-1:123456789012:rule/prod-other-rule")).toBe(false);
    expect(admitted("arn:aws:events:eu-west-1:999999999999:rule/prod-riposte-root-account-usage")).toBe(false);
  });

  it("stay small however many rules there are, far under SQS's 8 KB", () => {
    const policy = JSON.stringify(
      rulesQueuePolicy("arn:aws:sqs:eu-west-1:123456789012:prod-Candidates", ruleArnPatterns(where)),
    );

    expect(ruleArns("prod").length).toBeGreaterThan(60);
    expect(policy.length).toBeLessThan(1024);
    expect(JSON.parse(policy).Statement[0].Condition).toEqual({
      ArnLike: {
        "aws:SourceArn": [
          "arn:aws:events:eu-west-1:123456789012:rule/prod-riposte-*",
          "arn:aws:events:eu-west-1:123456789012:rule/prod-riposte-organization/prod-riposte-*",
        ],
      },
    });
  });

  it("refuse a stage too long for the rule names to keep their prefix", () => {
    expect(() => ruleArnPatterns({ ...where, stage: "s".repeat(50) })).toThrow(/too long for rule names/);
  });
});

describe("read-only management events", () => {
  it("go to exactly the rules that learn from every API call or watch read-only calls, unless switched off", () => {
    const wanting = (config: ReturnType<typeof parseConfig>) =>
      deployedRules(config)
        .filter((rule) => rule.readOnlyEvents)
        .flatMap((rule) => rule.detections)
        .sort();

    expect(wanting(parseConfig({}))).toEqual([
      "access-key-anomalous-use",
      "impossible-travel",
      "secrets-bulk-read",
      "unusual-region",
    ]);
    expect(wanting(parseConfig({ aws: { readOnlyManagementEvents: false } }))).toEqual([]);
  });

  it("reach secrets-bulk-read through a rule of its own in the state that receives them", () => {
    const getSecretValue = {
      version: "0",
      id: "5e0c7a44-0000-4000-8000-000000000002",
      "detail-type": "AWS API Call via CloudTrail",
      source: "aws.secretsmanager",
      account: "123456789012",
      time: "2026-03-10T14:29:00Z",
      region: "eu-west-1",
      resources: [],
      detail: {
        eventSource: "secretsmanager.amazonaws.com",
        eventName: "GetSecretValue",
        eventType: "AwsApiCall",
        readOnly: true,
        awsRegion: "eu-west-1",
        sourceIPAddress: "198.51.100.7",
        requestParameters: { secretId: "prod/db" },
        responseElements: null,
        userIdentity: {
          type: "IAMUser",
          arn: "arn:aws:iam::123456789012:user/reader",
          accessKeyId: "AKIAIOSFODNN7EXAMPLE",
          userName: "reader",
        },
      },
    };
    const rules = deployedRules(parseConfig({}));

    const delivering = rules.filter((rule) => matches(compilePattern(JSON.parse(rule.pattern)), getSecretValue));

    expect(delivering.map((rule) => [rule.id, rule.readOnlyEvents, rule.target.kind])).toEqual([
      [READ_ONLY_RULE_ID, true, "correlate"],
      ["secrets-bulk-read", true, "correlate"],
    ]);
    expect(rules.find((rule) => rule.id === READ_ONLY_RULE_ID)!.detections).not.toContain("secrets-bulk-read");
  });

  it("reach the correlate queue once, through one combined rule, not once per detection", () => {
    const readOnlyCall = {
      version: "0",
      id: "5e0c7a44-0000-4000-8000-000000000001",
      "detail-type": "AWS API Call via CloudTrail",
      source: "aws.s3",
      account: "123456789012",
      time: "2026-03-10T14:29:00Z",
      region: "eu-west-1",
      resources: [],
      detail: {
        eventSource: "s3.amazonaws.com",
        eventName: "ListBuckets",
        eventType: "AwsApiCall",
        readOnly: true,
        awsRegion: "eu-west-1",
        sourceIPAddress: "198.51.100.7",
        userIdentity: {
          type: "IAMUser",
          arn: "arn:aws:iam::123456789012:user/reader",
          accessKeyId: "AKIAIOSFODNN7EXAMPLE",
          userName: "reader",
        },
      },
    };
    const rules = deployedRules(parseConfig({}));

    const delivering = rules.filter((rule) => matches(compilePattern(JSON.parse(rule.pattern)), readOnlyCall));

    expect(delivering.map((rule) => rule.id)).toEqual([READ_ONLY_RULE_ID]);
    expect(delivering[0]!.detections).toEqual(["access-key-anomalous-use", "impossible-travel", "unusual-region"]);
    expect(delivering[0]!.logicalName).toBe("ReadOnlyActivity");
    expect(ruleName("prod", READ_ONLY_RULE_ID)).toBe("prod-riposte-read-only-activity");
  });

  it("stay one rule per detection when only one of them is enabled", () => {
    const config = parseConfig({
      detections: { "impossible-travel": { enabled: false }, "unusual-region": { enabled: false } },
    });

    const wanting = deployedRules(config).filter((rule) => rule.readOnlyEvents);

    expect(wanting.map((rule) => rule.id)).toEqual(["access-key-anomalous-use", "secrets-bulk-read"]);
  });
});

describe("workflowInputTemplate", () => {
  it("becomes the workflow input once EventBridge inserts the event", () => {
    const event = {
      version: "0",
      id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
      "detail-type": "AWS API Call via CloudTrail",
      source: "aws.ec2",
      account: "123456789012",
      time: "2026-03-10T14:29:00Z",
      region: "us-east-1",
      resources: [],
      detail: { eventName: "AuthorizeSecurityGroupIngress", userAgent: 'quote " and <angle> brackets' },
    };

    const input = JSON.parse(
      workflowInputTemplate("sg-ssh-open-world").replace("<aws.events.event.json>", JSON.stringify(event)),
    );

    expect(WorkflowInputSchema.parse(input)).toEqual({ detection: "sg-ssh-open-world", event });
  });

  it("refuses an id that is not a catalog-style constant", () => {
    expect(() => workflowInputTemplate('x","evil":"1' as never)).toThrow(/cannot be templated/);
  });
});

describe("rule names", () => {
  it("are all recognised as Riposte's by eventbridge-rule-disabled, whatever the stage, and a user's rule is not", () => {
    const input = {
      aws: { watchRegions: ["eu-west-1"], organization: { id: "o-a1b2c3d4e5" } },
    } as const;
    for (const stage of ["prod", "dev-alice", "pr.42_x", "s".repeat(40)]) {
      const plan = deploymentPlan(
        { config: parseConfig(input), source: "test" },
        { partition: "aws", region: "us-east-1", account: "123456789012", stage },
      );
      const names = [
        ...plan.rules.map((rule) => rule.name),
        ...deployedRules(parseConfig(input)).map((rule) => ruleName(stage, rule.id)),
        ...plan.regionForwarding.map((forwarding) => forwarding.ruleName),
      ];
      expect(plan.rules.some((rule) => rule.bus !== "default")).toBe(true);
      expect(plan.regionForwarding).not.toHaveLength(0);
      for (const name of names) expect(isToolRuleName(name), `${stage}: ${name}`).toBe(true);
    }
    expect(isToolRuleName("siem-forwarding")).toBe(false);
  });
});
