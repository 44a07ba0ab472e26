import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseSlackFollowUp } from "../core/approval/follow-up.js";
import { requestApproval } from "../core/approval/request.js";
import { makeDeps, makeIncident } from "../test/notify/fixtures.js";
import { buttonClick, type FakeSlack, interaction, startFakeSlack } from "../test/support/fake-slack.js";
import { createSlackHandler, queuedFollowUps } from "./slack.js";
import { createSlackFollowUpHandler } from "./slack-follow-up.js";

const SECRET = "signing-secret-for-the-lambda-test";
const QUEUE = "https://sqs.eu-west-1.amazonaws.com/123456789012/riposte-test-SlackFollowUps";

const sqs = mockClient(SQSClient);
afterEach(() => sqs.reset());

let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(async () => {
  await slack.close();
});

async function setup() {
  const deps = makeDeps({
    config: { notify: { slack: { channel: "#security", retries: 0 } }, approval: { slackApprovers: ["U0APPROVER"] } },
    overrides: { secrets: { slackBotToken: slack.token, slackApiUrl: slack.apiUrl, slackSigningSecret: SECRET } },
  });
  const decision = { route: "approval" as const, reason: "needs approval", plan: [] };
  const incident = makeIncident({ status: "TRIAGED", decision });
  await deps.store.createIncident(incident);
  const { approvalId } = await requestApproval({ incident, decision, taskToken: "tok" }, deps);
  const request = interaction({
    signingSecret: SECRET,
    timestamp: Math.floor(deps.now().getTime() / 1000),
    payload: buttonClick({ userId: "U0APPROVER", actionId: "riposte.approve", value: approvalId }),
  });
  sqs.on(SendMessageCommand).resolves({ MessageId: "m-1" });
  const handler = createSlackHandler(
    () => deps,
    () => queuedFollowUps(new SQSClient({ region: "eu-west-1" }), QUEUE),
  );
  return { deps, request, handler, followUp: createSlackFollowUpHandler(() => deps) };
}

describe("slack Lambda handler", () => {
  it("verifies and decides from a base64-encoded API Gateway body", async () => {
    const { deps, request, handler } = await setup();

    const result = await handler({
      headers: request.headers,
      body: Buffer.from(request.body).toString("base64"),
      isBase64Encoded: true,
      requestContext: { http: { method: "POST" } },
    });

    expect(result.statusCode).toBe(200);
    expect(deps.callbacks.successes).toHaveLength(1);
  });

  it("passes a plain body through untouched", async () => {
    const { deps, request, handler } = await setup();

    const result = await handler({ headers: request.headers, body: request.body });

    expect(result.statusCode).toBe(200);
    expect(deps.callbacks.successes).toHaveLength(1);
  });

  it("refuses other methods and oversized bodies", async () => {
    const { deps, request, handler } = await setup();

    const get = await handler({ headers: request.headers, requestContext: { http: { method: "GET" } } });
    const huge = await handler({ headers: request.headers, body: "x".repeat(300 * 1024) });

    expect([get.statusCode, huge.statusCode]).toEqual([405, 413]);
    expect(deps.callbacks.successes).toHaveLength(0);
  });

  it("answers before any Slack call and queues the message update; the follow-up function makes it", async () => {
    const { deps, request, handler, followUp } = await setup();
    const before = slack.calls.length;

    const result = await handler({ headers: request.headers, body: request.body });
    const slackCallsBeforeFollowUp = slack.calls.length - before;
    const sent = sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
    const answer = await followUp({
      Records: sent.map((input, i) => ({ messageId: `m-${i}`, body: input.MessageBody! })),
    });

    expect(result.statusCode).toBe(200);
    expect(slackCallsBeforeFollowUp).toBe(0);
    expect(sent.map((input) => input.QueueUrl)).toEqual([QUEUE]);
    expect(parseSlackFollowUp(JSON.parse(sent[0]!.MessageBody!))).toMatchObject({ type: "announce" });
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(slack.callsTo("chat.update").length + slack.callsTo("chat.postMessage").length).toBeGreaterThan(0);
    expect(deps.callbacks.successes).toHaveLength(1);
  });

  it("reports a failed follow-up back to SQS and, retried, updates Slack without deciding again", async () => {
    const { deps, request, handler, followUp } = await setup();
    await handler({ headers: request.headers, body: request.body });
    const body = sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageBody!;
    const { incidentId } = JSON.parse(body) as { incidentId: string };
    slack.fail("chat.update", { times: 1, error: "internal_error" });

    const first = await followUp({ Records: [{ messageId: "m-1", body }] });
    const retried = await followUp({ Records: [{ messageId: "m-1", body }] });

    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: "m-1" }] });
    expect(retried).toEqual({ batchItemFailures: [] });
    const ref = (await deps.store.getIncident(incidentId))?.notifications?.slack;
    expect(JSON.stringify(slack.message(ref?.channel ?? "", ref?.ts ?? "")?.blocks)).toContain(
      "Approved by <@U0APPROVER>",
    );
    expect(slack.callsTo("chat.update").filter((call) => call.args.ts === ref?.ts)).toHaveLength(2);
    expect(deps.callbacks.successes).toHaveLength(1);
    const audit = await deps.store.listAudit(incidentId);
    expect(audit.filter((entry) => entry.action === "approval.decided")).toHaveLength(1);
  });

  it("sends a follow-up it cannot read to the retry path, not the bin", async () => {
    const { followUp } = await setup();

    const answer = await followUp({
      Records: [
        { messageId: "bad-json", body: "{" },
        { messageId: "bad-shape", body: JSON.stringify({ type: "announce" }) },
      ],
    });

    expect(answer.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(["bad-json", "bad-shape"]);
  });
});
