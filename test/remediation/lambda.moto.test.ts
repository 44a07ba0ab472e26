import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  GetFunctionUrlConfigCommand,
  LambdaClient,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type MotoServer, motoAvailable, motoClientConfig, startMoto } from "../support/moto.js";
import { config, incident, REGION } from "./fixtures.js";
import { motoGateway, motoSuite, runEndToEnd, taskDeps } from "./harness.js";

/** lambda-url-require-iam against moto: a function URL made public, then closed to anonymous callers once approved. */

describe.skipIf(!motoAvailable())(motoSuite("Lambda actions"), () => {
  let moto: MotoServer;
  let lambda: LambdaClient;
  beforeAll(async () => {
    moto = await startMoto();
    lambda = new LambdaClient(motoClientConfig(moto.endpoint, REGION));
  });
  beforeEach(async () => moto.reset());
  afterAll(async () => moto?.stop());

  async function publicFunction(name: string): Promise<void> {
    const iam = new IAMClient(motoClientConfig(moto.endpoint, REGION));
    const { Role } = await iam.send(
      new CreateRoleCommand({
        RoleName: `${name}-role`,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      }),
    );
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: "python3.12",
        Role: Role?.Arn,
        Handler: "index.handler",
        Code: { ZipFile: new Uint8Array([80, 75, 5, 6, ...new Array(18).fill(0)]) },
      }),
    );
    await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "NONE" }));
  }

  it("requires IAM on the public URL once approved, and is already done the second time", async () => {
    await publicFunction("orders");
    const run = (id: string) =>
      runEndToEnd(
        {
          ...incident("lambda-url-public", { eventName: "CreateFunctionUrlConfig20211031", functionName: "orders" }),
          id,
        },
        taskDeps(config()),
        motoGateway(moto.endpoint),
        { approvedBy: "U0APPROVER" },
      );

    const result = await run("inc-url");
    const again = await run("inc-url-again");

    expect((await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: "orders" }))).AuthType).toBe("AWS_IAM");
    expect(result.actions[0]).toMatchObject({
      action: "lambda-url-require-iam",
      outcome: "applied",
      calls: [{ operation: "UpdateFunctionUrlConfig", params: { FunctionName: "orders", AuthType: "AWS_IAM" } }],
    });
    expect(result.verification.verified).toBe(true);
    expect(again.actions[0]?.outcome).toBe("already-done");
  });

  it("leaves the URL public without approval", async () => {
    await publicFunction("webhook");

    const result = await runEndToEnd(
      incident("lambda-url-public", { eventName: "CreateFunctionUrlConfig20211031", functionName: "webhook" }),
      taskDeps(config()),
      motoGateway(moto.endpoint),
    );

    expect((await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: "webhook" }))).AuthType).toBe("NONE");
    expect(result.actions[0]).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/destructive/) });
  });
});
