import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  GetFunctionUrlConfigCommand,
  LambdaClient,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NETWORK_SCENARIOS } from "../fixtures/events/scenarios/network.js";
import { motoSuite } from "../remediation/harness.js";
import { motoAvailable } from "../support/moto.js";
import { type ServeLive, SUITE_OPTIONS, scenarioRecords, startServeLive } from "./serve.js";

/**
 * Lambda function URL, end to end: the scenario's function (billing-export) gets a public URL in
 * the emulated account, the record goes to `riposte serve --remediate live`, the incident waits
 * for approval (the detection's response), is approved through the dashboard's API, and the URL
 * requires IAM.
 */

const FUNCTION = "billing-export";

describe.skipIf(!motoAvailable())(motoSuite("riposte serve --remediate live: Lambda URL action"), SUITE_OPTIONS, () => {
  let live: ServeLive;
  let lambda: LambdaClient;

  beforeAll(async () => {
    live = await startServeLive();
    lambda = new LambdaClient(live.aws());
    const iam = new IAMClient(live.aws());
    const { Role } = await iam.send(
      new CreateRoleCommand({
        RoleName: `${FUNCTION}-role`,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      }),
    );
    iam.destroy();
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: FUNCTION,
        Runtime: "python3.12",
        Role: Role?.Arn,
        Handler: "index.handler",
        Code: { ZipFile: new Uint8Array([80, 75, 5, 6, ...new Array(18).fill(0)]) },
      }),
    );
    await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: FUNCTION, AuthType: "NONE" }));
  });
  afterAll(async () => {
    lambda?.destroy();
    await live?.stop();
  });

  it("lambda-url-public → approved lambda-url-require-iam makes the URL require IAM", async () => {
    await live.deliver(
      ...scenarioRecords(NETWORK_SCENARIOS, "lambda-url-public", "a function URL created with auth type NONE"),
    );
    const waiting = await live.settle("lambda-url-public", ["AWAITING_APPROVAL", "FAILED"]);
    expect(waiting.status).toBe("AWAITING_APPROVAL");
    expect((await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: FUNCTION }))).AuthType).toBe("NONE");

    await live.approve(waiting.id);
    const incident = await live.settle("lambda-url-public", ["MITIGATED", "FAILED"]);

    expect(incident).toMatchObject({ status: "MITIGATED", mode: "live" });
    expect(incident.approvals).toMatchObject([{ decision: "approve", via: "dashboard" }]);
    expect(incident.actions).toMatchObject([
      {
        action: "lambda-url-require-iam",
        outcome: "applied",
        calls: [{ operation: "UpdateFunctionUrlConfig", params: { FunctionName: FUNCTION, AuthType: "AWS_IAM" } }],
      },
    ]);
    expect((await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: FUNCTION }))).AuthType).toBe("AWS_IAM");
  });
});
