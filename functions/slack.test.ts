import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestApproval } from "../core/approval/request.js";
import { makeDeps, makeIncident } from "../test/notify/fixtures.js";
import { buttonClick, type FakeSlack, interaction, startFakeSlack } from "../test/support/fake-slack.js";
import { createSlackHandler } from "./slack.js";

const SECRET = "signing-secret-for-the-lambda-test";

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
  return { deps, request, handler: createSlackHandler(() => deps) };
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
});
