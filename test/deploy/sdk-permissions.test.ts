import { marshall } from "@aws-sdk/util-dynamodb";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseConfig } from "../../core/config/load.js";
import { REMEDIATION_ACTION_IDS } from "../../core/model/actions.js";
import { CATEGORIES } from "../../core/model/catalog.js";
import type { Finding } from "../../core/model/incident.js";
import { makeIncident } from "../../core/store/contract/fixtures.js";
import { incidentItem } from "../../core/store/dynamodb/items.js";
import { createTable } from "../../core/store/dynamodb/table.js";
import { type AccessContext, actionsOf } from "../../infra/access.js";
import { runtimeConfig } from "../../infra/config.js";
import { accessFor, DEPLOYED_FUNCTIONS, type DeployedFunction, FUNCTION_SPECS } from "../../infra/functions.js";
import { roleName, workflowLogicalName } from "../../infra/names.js";
import { plannedResourceArns } from "../../infra/plan-arns.js";
import { policyDocument } from "../../infra/policy.js";
import { type DynamoServer, startDynalite, uniqueTableName } from "../support/dynalite.js";
import { buttonClick, type FakeSlack, interaction, startFakeSlack } from "../support/fake-slack.js";
import { another, FINDINGS } from "../workflows/fixtures.js";
import { awsError, fakeAws, iamActionOf, type RecordedCall } from "./fake-aws.js";
import { decide } from "./simulate.js";

/**
 * Every deployed function's real Lambda entry point, run with the environment a deployment gives
 * it (SST links as `SST_RESOURCE_*`, DynamoDB on an emulator, every other AWS service faked), over
 * the paths it takes in a live deployment. Each SDK call it makes is checked against the IAM
 * policy the stacks generate for it (`accessFor`): nothing it does may be denied.
 */

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const TOKEN = "dashboard-token-for-the-permission-suite";
const INTAKE_TOKEN = "intake-token-for-the-permission-suite";
const SIGNING_SECRET = "signing-secret-for-the-permission-suite";
const APPROVER = "U0APPROVER";
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:riposte-test-Alerts`;
const QUEUE = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/riposte-test-Candidates`;
const FOLLOW_UPS = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/riposte-test-SlackFollowUps`;
const CONTEXT: AccessContext = {
  mode: "live",
  encryptAlerts: false,
  crossAccount: false,
  actions: REMEDIATION_ACTION_IDS,
  securityHubExport: true,
  protectionTag: { key: "riposte:protect", value: "true" },
};
const machineArn = (category: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:test-riposte-${category}`;
const REALTIME_API = "a1b2c3d4e5";

let dynamo: DynamoServer;
let slack: FakeSlack;
let table: string;
let aws: ReturnType<typeof fakeAws>;
const savedEnv = { ...process.env };

/** A small account: one world-open SSH rule, IAM users with inline policies. */
function fakeAccount() {
  let ruleOpen = true;
  const userPolicies = new Map<string, string>();
  return {
    states: (operation: string, input: Record<string, unknown>) => {
      const executionArn = `${String(input.stateMachineArn ?? machineArn("network")).replace(":stateMachine:", ":execution:")}:${String(input.name ?? "x")}`;
      switch (operation) {
        case "StartExecution":
          return { executionArn, startDate: new Date() };
        case "DescribeExecution":
          return {
            executionArn: input.executionArn,
            name: "x",
            stateMachineArn: machineArn("network"),
            status: "SUCCEEDED",
            startDate: new Date(),
          };
        case "GetExecutionHistory":
          return { events: [] };
        case "DescribeStateMachineForExecution":
          return { definition: "{}" };
        default:
          return {};
      }
    },
    sns: () => ({ MessageId: "message-1" }),
    sqs: (operation: string, input: Record<string, unknown>) =>
      operation === "SendMessageBatch"
        ? {
            Successful: (input.Entries as { Id: string }[]).map((entry) => ({ Id: entry.Id, MessageId: "m" })),
            Failed: [],
          }
        : { MessageId: "m" },
    sts: () => ({
      Account: ACCOUNT,
      Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/riposte-test-Remediate/x`,
      UserId: "x",
    }),
    "execute-api": () => ({}),
    securityhub: (operation: string, input: Record<string, unknown>) =>
      operation === "BatchImportFindings"
        ? { FailedCount: 0, SuccessCount: (input.Findings as unknown[]).length, FailedFindings: [] }
        : { ProcessedFindings: input.FindingIdentifiers, UnprocessedFindings: [] },
    s3: (operation: string) =>
      operation === "GetBucketTagging"
        ? { TagSet: [] }
        : operation === "GetBucketPolicyStatus"
          ? { PolicyStatus: { IsPublic: false } }
          : {
              PublicAccessBlockConfiguration: {
                BlockPublicAcls: true,
                IgnorePublicAcls: true,
                BlockPublicPolicy: true,
                RestrictPublicBuckets: true,
              },
            },
    ec2: (operation: string, input: Record<string, unknown>) => {
      switch (operation) {
        case "DescribeSecurityGroups":
          return {
            SecurityGroups: ((input.GroupIds as string[]) ?? []).map((GroupId) => ({
              GroupId,
              GroupName: "web",
              VpcId: "vpc-0a1b2c3d",
              OwnerId: ACCOUNT,
              Tags: [],
            })),
          };
        case "DescribeSecurityGroupRules":
          return {
            SecurityGroupRules: ruleOpen
              ? [
                  {
                    SecurityGroupRuleId: "sgr-0123456789abcdef0",
                    GroupId: "sg-0a1b2c3d4e5f60718",
                    IsEgress: false,
                    IpProtocol: "tcp",
                    FromPort: 22,
                    ToPort: 22,
                    CidrIpv4: "0.0.0.0/0",
                  },
                ]
              : [],
          };
        case "RevokeSecurityGroupIngress":
          ruleOpen = false;
          return { Return: true };
        case "DescribeNetworkInterfaces":
          return { NetworkInterfaces: [] };
        default:
          throw new Error(`fake EC2 has no ${operation}`);
      }
    },
    iam: (operation: string, input: Record<string, unknown>) => {
      const key = `${String(input.UserName)}/${String(input.PolicyName)}`;
      switch (operation) {
        case "GetUser":
          return {
            User: {
              UserName: input.UserName,
              UserId: "AIDAEXAMPLE",
              Arn: `arn:aws:iam::${ACCOUNT}:user/${String(input.UserName)}`,
              Path: "/",
              CreateDate: new Date(),
              Tags: [],
            },
          };
        case "GetUserPolicy": {
          const document = userPolicies.get(key);
          if (!document) throw awsError("NoSuchEntity", 404);
          return {
            UserName: input.UserName,
            PolicyName: input.PolicyName,
            PolicyDocument: encodeURIComponent(document),
          };
        }
        case "ListUserTags":
          return { Tags: [{ Key: "slack-user", Value: APPROVER }], IsTruncated: false };
        case "PutUserPolicy":
          userPolicies.set(key, String(input.PolicyDocument));
          return {};
        case "DeleteUserPolicy":
          userPolicies.delete(key);
          return {};
        default:
          throw new Error(`fake IAM has no ${operation}`);
      }
    },
  };
}

const config = () =>
  runtimeConfig(
    parseConfig({
      remediation: { mode: "live", verify: { attempts: 1, delaySeconds: 0 } },
      notify: { slack: { channel: "#security", retries: 0 } },
      approval: { slackApprovers: [APPROVER] },
      securityHub: { export: true },
      confirmation: { detections: ["sg-ssh-open-world"], actors: { mode: "iam-tag", tagKey: "slack-user" } },
    }),
    { alertsTopicArn: TOPIC, dashboardUrl: "https://d111.cloudfront.net" },
  );

beforeAll(async () => {
  dynamo = await startDynalite();
  slack = await startFakeSlack();
  table = uniqueTableName();
  await createTable(dynamo.client(), table);
  const links: Record<string, unknown> = {
    App: { name: "riposte", stage: "test" },
    Settings: { config: JSON.stringify(config()), version: "0.0.0-test", stage: "test" },
    Incidents: { name: table },
    SlackBotToken: { value: slack.token },
    SlackSigningSecret: { value: SIGNING_SECRET },
    DashboardToken: { value: TOKEN },
    IntakeToken: { value: INTAKE_TOKEN },
    CorrelateQueue: { url: QUEUE },
    SlackFollowUps: { url: FOLLOW_UPS },
    Realtime: { url: "wss://ws.example/$default", managementEndpoint: "https://ws.example/$default" },
    ...Object.fromEntries(CATEGORIES.map((category) => [workflowLogicalName(category), { arn: machineArn(category) }])),
  };
  for (const [name, value] of Object.entries(links)) process.env[`SST_RESOURCE_${name}`] = JSON.stringify(value);
  Object.assign(process.env, {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    SLACK_API_URL: slack.apiUrl,
    RIPOSTE_LOG_LEVEL: "silent",
  });
  aws = fakeAws(fakeAccount());
});

afterAll(async () => {
  aws?.restore();
  vi.useRealTimers();
  process.env = savedEnv;
  await slack?.close();
  await dynamo?.stop();
});

const execution = (name: string) => ({
  id: `${machineArn("network").replace(":stateMachine:", ":execution:")}:${name}`,
  name,
});
const api = (method: string, rawPath: string, body?: unknown) => ({
  version: "2.0",
  rawPath,
  rawQueryString: "",
  headers: {
    host: "api.example",
    authorization: `Bearer ${rawPath === "/api/events" ? INTAKE_TOKEN : TOKEN}`,
    ...(body ? { "content-type": "application/json" } : {}),
  },
  requestContext: { http: { method }, stage: "$default" },
  isBase64Encoded: false,
  ...(body ? { body: JSON.stringify(body) } : {}),
});

type Handler = (event?: unknown, context?: unknown) => Promise<unknown>;
async function handlerOf(module: string, exported = "handler"): Promise<Handler> {
  return ((await import(module)) as Record<string, Handler>)[exported]!;
}

/** One incident through the workflow's tasks, each in its own function, as Step Functions runs them. */
async function runWorkflow(finding: Finding, name: string, decide?: (incidentId: string) => Promise<void>) {
  const run = async (fn: DeployedFunction, input: unknown) =>
    aws.as(fn, async () => (await handlerOf(`../../functions/${fn}.js`))(input)) as Promise<Record<string, unknown>>;
  const { incident } = (await run("open", { input: { finding }, execution: execution(name) })) as {
    incident: Record<string, unknown>;
  };
  const { enrichment } = await run("enrich", { incident });
  const { score, decision } = (await run("score", { incident, enrichment })) as {
    score: unknown;
    decision: { route: string; plan: unknown[] };
  };
  await run("notify", { incident, kind: "opened", enrichment, score, decision });
  let approval: unknown;
  if (decision.route === "approval") {
    await run("approval", { incident, decision, taskToken: `token-${name}` });
    await decide?.(String(incident.id));
    approval = { decision: "approve", approver: APPROVER, at: new Date().toISOString() };
  }
  const { actions } = await run("remediate", { incident, plan: decision.plan, ...(approval ? { approval } : {}) });
  const verification = (await run("verify", { incident, actions })) as { verified: boolean };
  await run("record", {
    incidentId: incident.id,
    status: verification.verified ? "MITIGATED" : "FAILED",
    reason: "suite",
  });
  await run("notify", { incident, kind: "status", status: verification.verified ? "MITIGATED" : "FAILED" });
  return { incident, incidentId: String(incident.id), decision, actions, verification };
}

describe("each deployed function's SDK calls against its generated policy", () => {
  it("runs every function over its live paths", async () => {
    // Automatic remediation of a world-open SSH rule.
    const auto = await runWorkflow(FINDINGS.network, "auto");
    expect(auto.decision.route).toBe("auto");
    expect(auto.verification.verified).toBe(true);

    // "Was this you?": the actor found through the IAM user's tag, asked in a DM.
    expect(auto.decision).toHaveProperty("confirmation");
    await aws.as("confirm", async () =>
      (await handlerOf("../../functions/confirm.js"))({
        incident: auto.incident,
        decision: auto.decision,
        taskToken: "token-confirm",
      }),
    );

    // Approval asked for an incident that is already final: the approval task completes its own token.
    await aws.as("approval", async () =>
      (await handlerOf("../../functions/approval.js"))({
        incident: auto.incident,
        decision: { ...auto.decision, route: "approval" },
        taskToken: "token-late",
      }),
    );

    // A production group waits for approval, decided on the dashboard through the API.
    const apiHandler = await handlerOf("../../functions/api.js");
    const prod = { ...another(FINDINGS.network, "prod"), facts: { ...FINDINGS.network.facts, tags: { env: "prod" } } };
    const approved = await runWorkflow(prod, "prod", async (incidentId) => {
      const answer = (await aws.as("api", () =>
        apiHandler(api("POST", `/api/incidents/${incidentId}/approval`, { decision: "approve", comment: "ok" })),
      )) as { statusCode: number; body: string };
      expect(answer.statusCode, answer.body).toBe(200);
    });
    expect(approved.decision.route).toBe("approval");

    // A brute-forced user is denied for a while; a Slack click decides another approval.
    const identity = await runWorkflow(FINDINGS.identity, "identity");
    expect(identity.actions).toEqual([expect.objectContaining({ action: "iam-deny-temporarily", outcome: "applied" })]);
    const slackHandler = await handlerOf("../../functions/slack.js");
    const prod2 = {
      ...another(FINDINGS.network, "prod-2"),
      facts: { ...FINDINGS.network.facts, tags: { env: "prod" } },
    };
    await runWorkflow(prod2, "prod-2", async (incidentId) => {
      const approvals = (await aws.as("slack", async () => {
        const { awsTaskDeps } = await import("../../functions/lib/aws-deps.js");
        return (await awsTaskDeps()).store.listPendingApprovals();
      })) as { id: string; incidentId: string }[];
      const approvalId = approvals.find((candidate) => candidate.incidentId === incidentId)?.id ?? "";
      const request = interaction({
        signingSecret: SIGNING_SECRET,
        timestamp: Math.floor(Date.now() / 1000),
        payload: buttonClick({ userId: APPROVER, actionId: "riposte.approve", value: approvalId }),
      });
      const answer = (await aws.as("slack", () =>
        slackHandler({ headers: request.headers, body: request.body, requestContext: { http: { method: "POST" } } }),
      )) as { statusCode: number };
      expect(answer.statusCode).toBe(200);
      // The Slack messages come after the answer, from the SlackFollowUp function reading the queue.
      const queued = aws.calls.filter((call) => call.fn === "slack" && call.input.QueueUrl === FOLLOW_UPS);
      const followUpHandler = await handlerOf("../../functions/slack-follow-up.js");
      const followed = (await aws.as("slackFollowUp", () =>
        followUpHandler({
          Records: queued.map((call, i) => ({ messageId: `m-${i}`, body: String(call.input.MessageBody) })),
        }),
      )) as { batchItemFailures: unknown[] };
      expect(queued.length).toBeGreaterThan(0);
      expect(followed.batchItemFailures).toEqual([]);
    });

    // The dashboard reads incidents and executions, and posts events for intake.
    for (const request of [
      api("GET", "/api/incidents"),
      api("GET", `/api/incidents/${auto.incidentId}`),
      api("GET", "/api/stats"),
      api("POST", "/api/events", { Records: [{ ...cloudTrailIngress("intake-1") }] }),
    ]) {
      const answer = (await aws.as("api", () => apiHandler(request))) as { statusCode: number; body: string };
      expect(answer.statusCode, `${request.rawPath}: ${answer.body}`).toBeLessThan(300);
    }

    // The correlate function: a stateful rule's delivery and an intake event that fires a detection.
    const correlate = await handlerOf("../../functions/correlate.js");
    const batch = (await aws.as("correlate", () =>
      correlate({
        Records: [
          { messageId: "m1", body: JSON.stringify(envelopeOf(consoleLogin("login-1"))) },
          {
            messageId: "m2",
            body: JSON.stringify({ riposte: "intake", event: envelopeOf(cloudTrailIngress("intake-2")) }),
          },
        ],
      }),
    )) as { batchItemFailures: unknown[] };
    expect(batch.batchItemFailures).toEqual([]);

    // The live push: a dashboard connects, an incident change is broadcast, heartbeats, it leaves.
    const wsEvent = {
      requestContext: { connectionId: "conn-1", routeKey: "$connect" },
      queryStringParameters: { token: TOKEN },
      headers: {},
    };
    const connected = (await aws.as("wsConnect", async () =>
      (
        await handlerOf("../../functions/websocket/connect.js")
      )(wsEvent),
    )) as { statusCode: number };
    expect(connected.statusCode).toBe(200);
    await aws.as("wsBroadcast", async () =>
      (await handlerOf("../../functions/websocket/broadcast.js"))({
        Records: [
          {
            eventName: "MODIFY",
            dynamodb: {
              OldImage: {
                pk: { S: "INCIDENT#x" },
                sk: { S: "INCIDENT" },
                id: { S: "x" },
                status: { S: "NEW" },
                version: { N: "1" },
                updatedAt: { S: "2026-01-01T00:00:00.000Z" },
              },
              NewImage: {
                pk: { S: "INCIDENT#x" },
                sk: { S: "INCIDENT" },
                id: { S: "x" },
                status: { S: "TRIAGED" },
                version: { N: "2" },
                updatedAt: { S: "2026-01-01T00:00:01.000Z" },
              },
            },
          },
        ],
      }),
    );
    // Security Hub export: the same incident written, then moved on; each as the stream delivers it.
    const exported = makeIncident({ account: ACCOUNT, region: REGION });
    const streamImage = (incident: typeof exported) =>
      JSON.parse(
        JSON.stringify(marshall(incidentItem(incident, 0), { removeUndefinedValues: true }), (_key, value) =>
          value instanceof Uint8Array ? Buffer.from(value).toString("base64") : value,
        ),
      );
    const notified = { ...exported, status: "NOTIFIED" as const, version: 2 };
    const synced = (await aws.as("securityHub", async () =>
      (
        await handlerOf("../../functions/securityhub.js")
      )(
        {
          Records: [
            { eventName: "INSERT", dynamodb: { NewImage: streamImage(exported) } },
            { eventName: "MODIFY", dynamodb: { OldImage: streamImage(exported), NewImage: streamImage(notified) } },
          ],
        },
        { invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:riposte-test-SecurityHubSync` },
      ),
    )) as { imported: number; updated: number };
    expect(synced).toMatchObject({ imported: 1, updated: 1 });

    // One round of the scheduled handler (it waits 20 s between rounds).
    await aws.as("wsHeartbeat", async () => (await handlerOf("../../functions/websocket/heartbeat.js"))());
    await aws.as("wsDisconnect", async () =>
      (await handlerOf("../../functions/websocket/disconnect.js"))({
        ...wsEvent,
        requestContext: { connectionId: "conn-1", routeKey: "$disconnect" },
      }),
    );

    // A dashboard click whose Lambda died between saving the decision and sending it to the task.
    await aws.as("api", async () => {
      const { store } = await (await import("../../functions/lib/aws-deps.js")).awsTaskDeps();
      const at = new Date().toISOString();
      const expiresAt = new Date(Date.now() + 3600 * 1000).toISOString();
      await store.putApproval({
        id: "appr-abandoned",
        incidentId: approved.incidentId,
        taskToken: "token-abandoned",
        createdAt: at,
        expiresAt,
        status: "pending",
      });
      const result = { decision: "approve" as const, approver: APPROVER, at };
      await store.decideApproval("appr-abandoned", "approved", result, { resume: true, via: "dashboard" });
    });

    // Housekeeping, once the temporary deny and the approvals have expired (and that decision is stale).
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 2 * 3600 * 1000);
    await aws.as("notices", async () => (await handlerOf("../../functions/scheduled/notices.js"))());
    const swept = (await aws.as("sweep", async () => (await handlerOf("../../functions/scheduled/sweep.js"))())) as {
      removed: string[];
    };
    vi.useRealTimers();
    expect(swept.removed).toHaveLength(1);
  });

  it("made every call within the calling function's policy", () => {
    const byFunction = new Map<string, RecordedCall[]>();
    for (const call of aws.calls) byFunction.set(call.fn, [...(byFunction.get(call.fn) ?? []), call]);

    expect(byFunction.get("(outside a function)") ?? []).toEqual([]);
    for (const [fn, calls] of byFunction) {
      const allowed = new Set(actionsOf(accessFor(fn as DeployedFunction, CONTEXT)));
      const denied = calls
        .map((call) => iamActionOf(call.service, call.operation))
        .filter((action): action is string => action !== null && !allowed.has(action));
      expect([...new Set(denied)], `${fn} calls outside its policy`).toEqual([]);
    }
  });

  it("made every call on a resource its generated policy allows, as the IAM simulator decides", async () => {
    // The policies as the stacks resolve them for this deployment (stage "test"), names as the fakes use them.
    const arns = plannedResourceArns(
      parseConfig({ securityHub: { export: true } }),
      { partition: "aws", region: REGION, account: ACCOUNT, stage: "test" },
      {
        table,
        tableStreamLabel: "2026-01-01T00:00:00.000",
        alertsTopic: TOPIC.split(":").at(-1)!,
        alertsKeyId: "unused",
        candidatesQueue: QUEUE.split("/").at(-1)!,
        slackFollowUpsQueue: FOLLOW_UPS.split("/").at(-1)!,
        realtimeApiId: REALTIME_API,
        functionName: (fn) => `riposte-test-${FUNCTION_SPECS[fn].logicalName}`,
      },
    );
    const refused: string[] = [];
    for (const call of aws.calls) {
      const action = iamActionOf(call.service, call.operation);
      if (action === null) continue;
      const fn = call.fn as DeployedFunction;
      const policy = policyDocument(accessFor(fn, CONTEXT), (ref) => arns[ref]);
      const principal = `arn:aws:iam::${ACCOUNT}:role/${roleName("riposte-", "test", REGION, FUNCTION_SPECS[fn].logicalName)}`;
      const resource = resourceOf(call);
      const decision = await decide({ principal, action, resource, resourceAccount: ACCOUNT }, [policy]);
      if (decision !== "Allowed") refused.push(`${fn}: ${action} on ${resource}: ${decision}`);
    }

    expect(aws.calls.length).toBeGreaterThan(50);
    expect([...new Set(refused)]).toEqual([]);
  });

  it("exercised every function, each on its own resources", () => {
    const used = (fn: string) =>
      new Set(aws.calls.filter((call) => call.fn === fn).map((call) => iamActionOf(call.service, call.operation)));
    const functions: readonly DeployedFunction[] = DEPLOYED_FUNCTIONS;

    for (const fn of functions) expect(used(fn).size, fn).toBeGreaterThan(0);
    expect(used("remediate")).toContain("ec2:RevokeSecurityGroupIngress");
    expect(used("remediate")).toContain("iam:PutUserPolicy");
    expect(used("verify")).toContain("ec2:DescribeSecurityGroupRules");
    expect(used("confirm")).toContain("iam:ListUserTags");
    expect(used("sweep")).toContain("iam:DeleteUserPolicy");
    expect(used("notify")).toContain("sns:Publish");
    expect(used("api")).toContain("states:SendTaskSuccess");
    expect(used("approval")).toContain("states:SendTaskSuccess");
    expect(used("api")).toContain("sqs:SendMessage");
    expect(used("slack")).toContain("states:SendTaskSuccess");
    expect(used("notices")).toContain("states:SendTaskSuccess");
    expect(
      aws.calls.filter((call) => call.fn === "notices" && call.operation === "SendTaskSuccess").map((c) => c.input),
    ).toEqual([expect.objectContaining({ taskToken: "token-abandoned" })]);
    expect(used("slack")).toContain("sqs:SendMessage");
    expect(used("correlate")).toContain("states:StartExecution");
    expect(used("wsBroadcast")).toContain("execute-api:ManageConnections");
    expect(used("securityHub")).toEqual(
      new Set(["securityhub:BatchImportFindings", "securityhub:BatchUpdateFindings"]),
    );
    for (const call of aws.calls) {
      if (call.service === "dynamodb")
        expect(call.input.TableName ?? Object.keys((call.input.RequestItems as object) ?? {})[0]).toBe(table);
      if (call.service === "sns") expect(call.input.TopicArn).toBe(TOPIC);
      if (call.service === "sqs") expect(call.input.QueueUrl).toBe(call.fn === "slack" ? FOLLOW_UPS : QUEUE);
      if (call.operation === "StartExecution") expect(CATEGORIES.map(machineArn)).toContain(call.input.stateMachineArn);
    }
  });
});

/** The ARN a recorded call acts on, from its input (as the service authorises it). */
function resourceOf(call: RecordedCall): string {
  const input = call.input as Record<string, string | undefined> & { RequestItems?: object };
  switch (call.service) {
    case "dynamodb": {
      const arn = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${input.TableName ?? Object.keys(input.RequestItems ?? {})[0]}`;
      return input.IndexName ? `${arn}/index/${input.IndexName}` : arn;
    }
    case "states":
      // SendTask* name no resource (the token is the capability): the simulator checks them on `*`.
      return input.stateMachineArn ?? input.executionArn ?? "*";
    case "sns":
      return String(input.TopicArn);
    case "sqs": {
      const [, , host, account, name] = String(input.QueueUrl).split("/");
      return `arn:aws:sqs:${host?.split(".")[1]}:${account}:${name}`;
    }
    case "ec2":
      return input.GroupId ? `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${input.GroupId}` : "*";
    case "iam":
      return input.RoleName
        ? `arn:aws:iam::${ACCOUNT}:role/${input.RoleName}`
        : `arn:aws:iam::${ACCOUNT}:user/${input.UserName}`;
    case "s3":
      return `arn:aws:s3:::${input.Bucket}`;
    case "securityhub":
      // BatchImportFindings is authorised on each finding's product, BatchUpdateFindings on the hub.
      return call.operation === "BatchImportFindings"
        ? String((call.input.Findings as { ProductArn: string }[])[0]?.ProductArn)
        : `arn:aws:securityhub:${REGION}:${ACCOUNT}:hub/default`;
    case "execute-api":
      return `arn:aws:execute-api:${REGION}:${ACCOUNT}:${REALTIME_API}/$default/POST/@connections/${input.ConnectionId}`;
    default:
      throw new Error(`no ARN rule for ${call.service}:${call.operation}`);
  }
}

function cloudTrailIngress(eventID: string) {
  return {
    eventVersion: "1.08",
    eventID,
    eventTime: new Date().toISOString(),
    eventSource: "ec2.amazonaws.com",
    eventName: "AuthorizeSecurityGroupIngress",
    eventType: "AwsApiCall",
    awsRegion: REGION,
    sourceIPAddress: "203.0.113.7",
    userAgent: "aws-cli/2.15.0",
    recipientAccountId: ACCOUNT,
    userIdentity: {
      type: "IAMUser",
      arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
      accountId: ACCOUNT,
      userName: "alice",
      principalId: "AIDA",
    },
    requestParameters: {
      groupId: "sg-0a1b2c3d4e5f60718",
      ipPermissions: {
        items: [{ ipProtocol: "tcp", fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: "0.0.0.0/0" }] } }],
      },
    },
    responseElements: {
      _return: true,
      securityGroupRuleSet: {
        items: [
          {
            groupId: "sg-0a1b2c3d4e5f60718",
            securityGroupRuleId: "sgr-1",
            isEgress: false,
            ipProtocol: "tcp",
            fromPort: 22,
            toPort: 22,
            cidrIpv4: "0.0.0.0/0",
          },
        ],
      },
    },
  };
}

function consoleLogin(eventID: string) {
  return {
    eventVersion: "1.08",
    eventID,
    eventTime: new Date().toISOString(),
    eventSource: "signin.amazonaws.com",
    eventName: "ConsoleLogin",
    eventType: "AwsConsoleSignIn",
    awsRegion: "us-east-1",
    sourceIPAddress: "198.51.100.20",
    userAgent: "Mozilla/5.0",
    recipientAccountId: ACCOUNT,
    userIdentity: {
      type: "IAMUser",
      arn: `arn:aws:iam::${ACCOUNT}:user/bob`,
      accountId: ACCOUNT,
      userName: "bob",
      principalId: "AIDB",
    },
    responseElements: { ConsoleLogin: "Success" },
    additionalEventData: { MFAUsed: "No" },
  };
}

function envelopeOf(record: { eventID: string; eventTime: string; eventSource: string; eventType: string }) {
  const source = `aws.${record.eventSource.split(".")[0]}`;
  return {
    version: "0",
    id: `eb-${record.eventID}`,
    "detail-type":
      record.eventType === "AwsConsoleSignIn" ? "AWS Console Sign In via CloudTrail" : "AWS API Call via CloudTrail",
    source,
    account: ACCOUNT,
    time: record.eventTime,
    region: REGION,
    resources: [],
    detail: record,
  };
}
