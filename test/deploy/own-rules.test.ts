import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, describe, expect, it } from "vitest";
import { mayMatchReadOnlyCalls } from "../../core/deployment/rules.js";
import { normalizeRecords } from "../../core/events/index.js";
import { CATEGORIES } from "../../core/model/catalog.js";
import type { EventEnvelope } from "../../core/model/event.js";
import { createTable } from "../../core/store/dynamodb/table.js";
import { correlateDepsFor, createCorrelateHandler } from "../../functions/correlate.js";
import { buildAwsRuntime } from "../../functions/lib/aws-deps.js";
import { lambdaTask } from "../../functions/lib/lambda.js";
import { openTask } from "../../functions/open.js";
import { loadDeployConfig } from "../../infra/config.js";
import { workflowLogicalName } from "../../infra/names.js";
import { deploymentPlan } from "../../infra/plan.js";
import { deployedRules, hasLoopPrevention, ruleName } from "../../infra/rules.js";
import { identity, record } from "../fixtures/events/cloudtrail.js";
import { GOOD_YAML } from "../fixtures/rules/own-rules.js";
import { startDynalite, uniqueTableName } from "../support/dynalite.js";

/**
 * A rules directory deployed: `rules.dir` read when the stacks load the configuration, one
 * EventBridge rule per user's rule (loop prevention, read-only state, the same targets and queue
 * policies as the built-in rules), and the validated rules shipped in the Settings link so that
 * the deployed open task turns the event a rule delivers into that rule's finding.
 */

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A project directory with a configuration naming `rules/` and these rule files in it. */
function project(files: Record<string, string>, config: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "riposte-deploy-rules-"));
  dirs.push(dir);
  writeFileSync(join(dir, "riposte.config.json"), JSON.stringify({ ...config, rules: { dir: "rules" } }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, "rules", name, ".."), { recursive: true });
    writeFileSync(join(dir, "rules", name), text);
  }
  return dir;
}

/** A rule about read-only calls: someone listed the account's buckets (JSON format). */
const LIST_BUCKETS = JSON.stringify({
  id: "buckets-listed",
  title: "The account's buckets were listed",
  category: "storage",
  severity: "low",
  description: "s3:ListBuckets",
  response: { mode: "approval", action: "iam-revoke-sessions" },
  pattern: { source: ["aws.s3"], detail: { eventSource: ["s3.amazonaws.com"], eventName: ["ListBuckets"] } },
});

const place = { partition: "aws", region: "us-east-1", account: "123456789012", stage: "prod" };

/** Whether an `ArnLike` pattern admits an ARN (`*` any run of characters, `?` one). */
function arnLike(pattern: string, arn: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${regex}$`).test(arn);
}

const createUser = (user = identity.root(), userAgent = "aws-cli/2.15") =>
  record(
    "iam.amazonaws.com",
    "CreateUser",
    { userName: "backdoor" },
    { user: { userName: "backdoor" } },
    {
      user,
      userAgent,
    },
  );

function envelopeOf(recordJson: unknown): EventEnvelope {
  const { events, errors } = normalizeRecords([recordJson]);
  if (errors.length > 0 || !events[0]) throw new Error(JSON.stringify(errors));
  return events[0].envelope;
}

/** What EventBridge hands the workflow: the rule's input template with the event in it. */
function workflowInput(template: string, envelope: EventEnvelope): unknown {
  return JSON.parse(template.replace("<aws.events.event.json>", JSON.stringify(envelope)));
}

describe("deploying a rules directory", () => {
  it("reads rules.dir with the configuration and plans one EventBridge rule per user's rule, to its category's workflow", () => {
    // Arrange
    const cwd = project({ "root.yml": GOOD_YAML, "s3/list.json": LIST_BUCKETS });

    // Act
    const deployment = loadDeployConfig("prod", { cwd, env: {} });
    const plan = deploymentPlan(deployment, place);

    // Assert
    expect(deployment.rules?.map((rule) => rule.id)).toEqual(["root-created-user", "buckets-listed"]);
    expect(plan.ownRules).toEqual(["root-created-user", "buckets-listed"]);
    const root = plan.rules.find((rule) => rule.detection === "root-created-user");
    const list = plan.rules.find((rule) => rule.detection === "buckets-listed");
    expect(root).toMatchObject({
      name: ruleName("prod", "root-created-user"),
      bus: "default",
      state: "ENABLED",
      target: {
        kind: "workflow",
        arn: expect.stringMatching(/:stateMachine:.*identity/),
        inputTemplate: '{"detection":"root-created-user","event":<aws.events.event.json>}',
      },
    });
    expect(root?.pattern).toMatchObject({
      source: ["aws.iam"],
      detail: { eventName: ["CreateUser"], userIdentity: { type: ["Root"] } },
    });
    // ListBuckets is a read-only call: EventBridge delivers it only in this state.
    expect(list).toMatchObject({
      state: "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
      target: { kind: "workflow", arn: expect.stringMatching(/:stateMachine:.*storage/) },
    });
    expect(hasLoopPrevention(list?.pattern, "riposte-")).toBe(true);
  });

  it("admits the users' rules to the queues the rules send to, on the default bus and the org bus", () => {
    const cwd = project({ "root.yml": GOOD_YAML }, { aws: { organization: { id: "o-a1b2c3d4e5" } } });
    const plan = deploymentPlan(loadDeployConfig("prod", { cwd, env: {} }), place);

    const own = plan.rules.filter((rule) => rule.detection === "root-created-user");
    expect(own.map((rule) => rule.bus)).toEqual(["default", expect.stringContaining("riposte-organization")]);
    // Every queue a rule sends to (the candidates, the undelivered events) admits them by name prefix.
    const ruleQueues = plan.queues.filter(
      (queue) => queue.policy !== undefined && !queue.logicalName.startsWith("Forward"),
    );
    expect(ruleQueues.length).toBeGreaterThanOrEqual(2);
    for (const queue of ruleQueues) {
      const policy = queue.policy as { Statement: { Condition: { ArnLike: Record<string, string[]> } }[] };
      const condition = policy.Statement[0]?.Condition.ArnLike["aws:SourceArn"] ?? [];
      for (const rule of own) {
        const bus = rule.bus === "default" ? "" : `${rule.bus}/`;
        const arn = `arn:aws:events:us-east-1:123456789012:rule/${bus}${rule.name}`;
        expect(
          condition.some((pattern) => arnLike(pattern, arn)),
          `${queue.logicalName}: ${arn}`,
        ).toBe(true);
      }
      // Another account's rule of the same name is not admitted.
      const foreign = `arn:aws:events:us-east-1:999999999999:rule/${own[0]!.name}`;
      expect(condition.some((pattern) => arnLike(pattern, foreign))).toBe(false);
    }
  });

  it("stops the deploy on a bad rule file, naming the file, the field and the problem", () => {
    const cwd = project({
      "root.yml": GOOD_YAML,
      "bad.yml": GOOD_YAML.replace("root-created-user", "no-source").replace("source: [aws.iam]", "account: ['1']"),
    });

    expect(() => loadDeployConfig("prod", { cwd, env: {} })).toThrow(
      /cannot be deployed:\n {2}rules\.dir: bad\.yml: pattern\.source: name the event sources/,
    );
  });

  it("stops the deploy past EventBridge's rules-per-bus quota (rules.maxPerBus), and on two rules of one logical name", () => {
    const deployment = loadDeployConfig("prod", { cwd: project({ "root.yml": GOOD_YAML }), env: {} });
    const rule = deployment.rules![0]!;
    const rules = (count: number) =>
      Array.from({ length: count }, (_, i) => ({ ...rule, id: `${rule.id}-${i}` as never }));
    const builtIn = deployedRules(deployment.config).length;

    expect(deployment.config.rules.maxPerBus).toBe(300);
    expect(deployedRules(deployment.config, rules(300 - builtIn))).toHaveLength(300);
    expect(() => deployedRules(deployment.config, rules(301 - builtIn))).toThrow(
      /needs 301 EventBridge rules on each bus, over EventBridge's default quota of 300 rules per bus/,
    );
    // An account whose quota was raised says so; the check follows the setting.
    const raised = { ...deployment.config, rules: { ...deployment.config.rules, maxPerBus: 400 } };
    expect(deployedRules(raised, rules(301 - builtIn))).toHaveLength(301);
    expect(() => deployedRules(raised, rules(401 - builtIn))).toThrow(/over rules\.maxPerBus \(400\)/);
    // "a-1" and "a1" are both OwnA1 in PascalCase.
    expect(() =>
      deployedRules(deployment.config, [
        { ...rule, id: "a-1" as never },
        { ...rule, id: "a1" as never },
      ]),
    ).toThrow(/"a-1" and "a1" would both be deployed as OwnA1Rule/);
  });
});

describe("which users' rules want read-only calls (Describe, Get, List)", () => {
  it("says yes when an allowed event name may start with one of those verbs, or none is pinned", () => {
    const wants = (detail: Record<string, unknown>) => mayMatchReadOnlyCalls({ source: ["aws.s3"], detail });

    expect(wants({ eventName: ["PutBucketPolicy", "DeleteBucket"] })).toBe(false);
    expect(wants({ eventName: ["PutBucketPolicy", "GetBucketPolicy"] })).toBe(true);
    expect(wants({ eventName: [{ prefix: "Desc" }] })).toBe(true);
    expect(wants({ eventName: [{ prefix: "Put" }] })).toBe(false);
    expect(wants({ eventName: [{ "equals-ignore-case": "listbuckets" }] })).toBe(true);
    expect(wants({ eventName: [{ wildcard: "*Bucket*" }] })).toBe(true);
    expect(wants({ eventSource: ["s3.amazonaws.com"] })).toBe(true);
    expect(wants({ eventSource: ["s3.amazonaws.com"], readOnly: [false] })).toBe(false);
    expect(
      mayMatchReadOnlyCalls({
        source: ["aws.s3"],
        $or: [{ detail: { eventName: ["PutObjectAcl"] } }, { detail: { eventName: ["ListBuckets"] } }],
      }),
    ).toBe(true);
  });
});

describe("the deployed open task with users' rules", () => {
  it("opens the finding of a user's rule from the event its EventBridge rule delivers, and refuses what it should", async () => {
    // Arrange: the deployment's Settings link as the stacks fill it, a DynamoDB table, the Lambda handler.
    const cwd = project({ "root.yml": GOOD_YAML, "list.json": LIST_BUCKETS });
    const deployment = loadDeployConfig("prod", { cwd, env: {} });
    const plan = deploymentPlan(deployment, place);
    const template = plan.rules.find((rule) => rule.detection === "root-created-user")!.target;
    if (template.kind !== "workflow") throw new Error("expected a workflow target");
    const server = await startDynalite();
    try {
      const tableName = uniqueTableName();
      await createTable(server.client(), tableName);
      const links = {
        Settings: {
          config: JSON.stringify({}),
          rules: JSON.stringify(deployment.rules),
          version: "1.2.3",
          stage: "prod",
        },
        Incidents: { name: tableName },
      };
      const handler = lambdaTask(
        openTask,
        async () => buildAwsRuntime({ links, env: {}, dynamo: server.client() }).deps,
      );
      const execution = { id: "arn:aws:states:us-east-1:123456789012:execution:riposte-identity:x", name: "x" };

      // Act
      const opened = await handler({
        input: workflowInput(template.inputTemplate, envelopeOf(createUser())),
        execution,
      });

      // Assert: the rule's finding, carrying what the rule declares.
      expect(opened.duplicate).toBe(false);
      expect(opened.incident).toMatchObject({
        detection: "root-created-user",
        category: "identity",
        severity: "high",
        status: "NEW",
        rule: { response: { mode: "notify" }, attack: { id: "T1136.003" } },
      });

      // The rule's condition runs again: from the console, no finding.
      await expect(
        handler({
          input: workflowInput(template.inputTemplate, envelopeOf(createUser(undefined, "console.amazonaws.com"))),
          execution,
        }),
      ).rejects.toMatchObject({ name: "NoFinding" });
      // Riposte's own role is kept out as by the EventBridge pattern.
      const anyone = {
        ...(workflowInput(template.inputTemplate, envelopeOf(createUser(identity.riposte()))) as object),
      };
      await expect(handler({ input: anyone, execution })).rejects.toMatchObject({ name: "NoFinding" });
      // An id no deployed rule has: refused, in either input.
      await expect(
        handler({ input: { detection: "not-deployed", event: envelopeOf(createUser()) }, execution }),
      ).rejects.toMatchObject({ name: "InvalidInput", message: expect.stringContaining("not-deployed") });
      await expect(
        handler({ input: { finding: { ...opened.incident, detection: "not-deployed", evidence: [] } }, execution }),
      ).rejects.toMatchObject({ name: "InvalidInput" });
    } finally {
      await server.stop();
    }
  });
});

/** A correlated rule: three secret reads by one principal within five minutes. */
const MANY_READS = `id: many-secret-reads
title: Many secret values read
category: identity
severity: high
description: Three secret values read by one principal within five minutes.
pattern:
  source: [aws.secretsmanager]
  detail: { eventSource: [secretsmanager.amazonaws.com], eventName: [GetSecretValue] }
correlation: { type: event-count, groupBy: [userIdentity.arn], count: 3, windowMinutes: 5 }
`;

const secretRead = (minute: number) =>
  envelopeOf(
    record("secretsmanager.amazonaws.com", "GetSecretValue", { secretId: "prod/db" }, null, {
      time: `2026-03-01T10:0${minute}:00Z`,
    }),
  );

describe("a deployed correlated rule", () => {
  it("queues its events for the correlate function, whose engine counts them and starts the rule's workflow", async () => {
    // Arrange
    const cwd = project({ "reads.yml": MANY_READS });
    const deployment = loadDeployConfig("prod", { cwd, env: {} });
    const planned = deploymentPlan(deployment, place).rules.find((rule) => rule.detection === "many-secret-reads");
    expect(planned?.target).toEqual({ kind: "correlate", queue: expect.stringMatching(/Candidates/) });
    const server = await startDynalite();
    try {
      const tableName = uniqueTableName();
      await createTable(server.client(), tableName);
      const links: Record<string, unknown> = {
        Settings: { config: "{}", rules: JSON.stringify(deployment.rules), version: "1", stage: "prod" },
        Incidents: { name: tableName },
        CorrelateQueue: { url: "https://sqs.us-east-1.amazonaws.com/123456789012/candidates" },
        ...Object.fromEntries(
          CATEGORIES.map((category) => [
            workflowLogicalName(category),
            { arn: `arn:aws:states:us-east-1:123456789012:stateMachine:prod-riposte-${category}` },
          ]),
        ),
      };
      const runtime = buildAwsRuntime({ links, env: {}, dynamo: server.client() });
      const started: { category: string; input: unknown }[] = [];
      const deps = {
        ...correlateDepsFor(runtime, { links, sqs: new SQSClient({ region: "us-east-1" }) }),
        starter: {
          async start(category: string, _name: string, input: unknown) {
            started.push({ category, input });
            return { executionArn: "arn", started: true };
          },
        },
      };
      const handler = createCorrelateHandler(() => deps);
      const batch = (minutes: number[]) => ({
        Records: minutes.map((minute) => ({ messageId: `m${minute}`, body: JSON.stringify(secretRead(minute)) })),
      });

      // Act: two reads, then a third within the window.
      await handler(batch([1, 2]));
      const afterTwo = started.length;
      await handler(batch([3]));

      // Assert
      expect(afterTwo).toBe(0);
      expect(started).toHaveLength(1);
      expect(started[0]).toMatchObject({
        category: "identity",
        input: { finding: { detection: "many-secret-reads", rule: { response: { mode: "notify" } } } },
      });
    } finally {
      await server.stop();
    }
  });
});
