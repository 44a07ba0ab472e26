import { GetFunctionUrlConfigCommand, ListTagsCommand, UpdateFunctionUrlConfigCommand } from "@aws-sdk/client-lambda";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { config, incident } from "../../../test/remediation/fixtures.js";
import { mockAws } from "../../../test/remediation/mock-aws.js";
import { awsError, remediateAndVerify, staticPlan } from "../../../test/remediation/run-action.js";

const aws = mockAws();
afterAll(() => aws.restore());
beforeEach(() => aws.reset());

const ARN = "arn:aws:lambda:eu-west-1:123456789012:function:orders";
const madePublic = (facts: Record<string, unknown> = {}) =>
  incident(
    "lambda-url-public",
    {
      eventName: "CreateFunctionUrlConfig20211031",
      functionName: "orders",
      qualifier: "live",
      authType: "NONE",
      ...facts,
    },
    { region: "eu-west-1" },
  );
const url = (AuthType: "NONE" | "AWS_IAM") => ({
  AuthType,
  FunctionArn: `${ARN}:live`,
  FunctionUrl: "https://abc.lambda-url.eu-west-1.on.aws/",
  CreationTime: "t",
  LastModifiedTime: "t",
});
const approved = { approved: true };

describe("lambda-url-require-iam: plan", () => {
  it("sets AuthType AWS_IAM on the alias's URL, in the incident's region", () => {
    expect(staticPlan("lambda-url-require-iam", madePublic())).toMatchObject({
      ok: true,
      planned: {
        target: "function URL of orders:live",
        destructive: true,
        calls: [
          {
            service: "lambda",
            operation: "UpdateFunctionUrlConfig",
            params: { FunctionName: "orders", Qualifier: "live", AuthType: "AWS_IAM" },
            region: "eu-west-1",
          },
        ],
      },
    });
  });

  it("takes the function's ARN in this account, in the ARN's region, without a qualifier", () => {
    const byArn = madePublic({ functionName: ARN.replace("eu-west-1", "us-west-2"), qualifier: undefined });

    expect(staticPlan("lambda-url-require-iam", byArn)).toMatchObject({
      ok: true,
      planned: {
        calls: [
          { params: { FunctionName: ARN.replace("eu-west-1", "us-west-2"), AuthType: "AWS_IAM" }, region: "us-west-2" },
        ],
      },
    });
  });

  it.each([
    ["no function", { functionName: undefined }, /no Lambda function/],
    ["an odd name", { functionName: "orders/../x" }, /no valid Lambda function/],
    ["another account's function", { functionName: ARN.replace("123456789012", "210987654321") }, /another account/],
    ["an odd qualifier", { qualifier: "live/x" }, /no valid function URL qualifier/],
    ["a qualifier that is not text", { qualifier: 3 }, /no valid function URL qualifier/],
  ])("does not apply with %s", (_, facts, reason) => {
    expect(staticPlan("lambda-url-require-iam", madePublic(facts))).toEqual({
      ok: false,
      note: expect.stringMatching(reason),
    });
  });
});

describe("lambda-url-require-iam: live", () => {
  it("requires IAM on the URL, read with the function's tags, and verifies", async () => {
    aws.lambda.on(GetFunctionUrlConfigCommand).resolvesOnce(url("NONE")).resolves(url("AWS_IAM"));
    aws.lambda.on(ListTagsCommand).resolves({ Tags: { team: "orders" } });

    const { applied, verification } = await remediateAndVerify(
      "lambda-url-require-iam",
      madePublic(),
      config(),
      approved,
    );

    expect(aws.inputs("GetFunctionUrlConfigCommand")[0]).toEqual({ FunctionName: "orders", Qualifier: "live" });
    expect(aws.inputs("ListTagsCommand")[0]).toEqual({ Resource: ARN });
    expect(aws.inputs("UpdateFunctionUrlConfigCommand")).toEqual([
      { FunctionName: "orders", Qualifier: "live", AuthType: "AWS_IAM" },
    ]);
    expect(applied).toMatchObject({ outcome: "applied", after: { state: { authType: "AWS_IAM" } } });
    expect(verification.verified).toBe(true);
  });

  it("is already done when the URL requires IAM", async () => {
    aws.lambda.on(GetFunctionUrlConfigCommand).resolves(url("AWS_IAM"));
    aws.lambda.on(ListTagsCommand).resolves({ Tags: {} });

    const { applied } = await remediateAndVerify("lambda-url-require-iam", madePublic(), config(), approved);

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("UpdateFunctionUrlConfigCommand")).toEqual([]);
  });

  it("fails verification when the URL still reads NONE", async () => {
    aws.lambda.on(GetFunctionUrlConfigCommand).resolves(url("NONE"));
    aws.lambda.on(ListTagsCommand).resolves({ Tags: {} });
    aws.lambda.on(UpdateFunctionUrlConfigCommand).resolves({});

    const { applied, verification } = await remediateAndVerify(
      "lambda-url-require-iam",
      madePublic(),
      config(),
      approved,
    );

    expect(applied.outcome).toBe("applied");
    expect(verification).toMatchObject({
      verified: false,
      checks: [expect.objectContaining({ ok: false, detail: "AuthType: NONE" })],
    });
  });

  it("counts a deleted function or URL as gone", async () => {
    aws.lambda.on(GetFunctionUrlConfigCommand).rejects(awsError("ResourceNotFoundException"));

    const { applied } = await remediateAndVerify("lambda-url-require-iam", madePublic(), config(), approved);

    expect(applied.outcome).toBe("gone");
  });

  it("leaves a protected function alone", async () => {
    aws.lambda.on(GetFunctionUrlConfigCommand).resolves(url("NONE"));
    aws.lambda.on(ListTagsCommand).resolves({ Tags: { "riposte:protect": "true" } });

    const { applied } = await remediateAndVerify("lambda-url-require-iam", madePublic(), config(), approved);

    expect(applied.outcome).toBe("skipped");
    expect(aws.inputs("UpdateFunctionUrlConfigCommand")).toEqual([]);
  });

  it("never runs without approval", async () => {
    const { applied } = await remediateAndVerify("lambda-url-require-iam", madePublic());

    expect(applied).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/destructive/) });
    expect(aws.sent()).toEqual([]);
  });
});
