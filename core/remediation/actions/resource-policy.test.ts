import {
  DeleteRepositoryPolicyCommand,
  GetRepositoryPolicyCommand,
  ListTagsForResourceCommand as ListEcrTagsCommand,
} from "@aws-sdk/client-ecr";
import { GetKeyPolicyCommand, ListResourceTagsCommand, PutKeyPolicyCommand } from "@aws-sdk/client-kms";
import { GetFunctionCommand, GetPolicyCommand, RemovePermissionCommand } from "@aws-sdk/client-lambda";
import { DescribeSecretCommand, GetResourcePolicyCommand } from "@aws-sdk/client-secrets-manager";
import { GetTopicAttributesCommand, ListTagsForResourceCommand as ListSnsTagsCommand } from "@aws-sdk/client-sns";
import { GetQueueAttributesCommand, ListQueueTagsCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { config, incident } from "../../../test/remediation/fixtures.js";
import { mockAws } from "../../../test/remediation/mock-aws.js";
import { awsError, remediateAndVerify, staticPlan } from "../../../test/remediation/run-action.js";
import { isPublicPolicy } from "../../risk/resource-policy.js";
import { permissionsFor } from "../permissions.js";
import { actionsInUse } from "../responses.js";
import { defaultTopicPolicy } from "./resource-policy.plan.js";

const aws = mockAws();
afterAll(() => aws.restore());
beforeEach(() => aws.reset());

const ACTION = "resource-policy-remove-public";
const TOPIC = "arn:aws:sns:eu-west-1:123456789012:alerts";
const KEY = "1234abcd-12ab-34cd-56ef-1234567890ab";
const approved = { approved: true };

const anyone = { Sid: "Anyone", Effect: "Allow", Principal: "*", Action: "*", Resource: "*" };
const partner = {
  Sid: "Partner",
  Effect: "Allow",
  Principal: { AWS: "arn:aws:iam::210987654321:root" },
  Action: "*",
  Resource: "*",
};
const pinned = { ...anyone, Sid: "Org", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } } };
const doc = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const kept = (...statements: object[]) => doc(...statements);

const found = (facts: Record<string, unknown>, region = "eu-west-1") =>
  incident("resource-policy-public", { eventName: "SetTopicAttributes", ...facts }, { region });
const sns = (policy = doc(anyone, partner), facts = {}) =>
  found({ service: "sns", resourceName: TOPIC, resourceArn: TOPIC, policy, ...facts });
const lambda = (facts: Record<string, unknown> = {}) =>
  found({
    eventName: "AddPermission20150331v2",
    service: "lambda",
    resourceName: "orders",
    functionName: "orders",
    statementId: "open",
    qualifier: "live",
    publicStatements: [{ Sid: "open", Effect: "Allow", Principal: "*", Action: "lambda:InvokeFunction" }],
    ...facts,
  });

const callsOf = (plan: ReturnType<typeof staticPlan>) => (plan.ok ? plan.planned.calls : plan.note);

describe("resource-policy-remove-public: plan", () => {
  it("writes the SNS topic policy back without the public statement, in the ARN's region", () => {
    expect(staticPlan(ACTION, sns(), config())).toMatchObject({
      ok: true,
      planned: { target: `SNS topic ${TOPIC}`, destructive: true },
    });
    expect(callsOf(staticPlan(ACTION, sns()))).toEqual([
      {
        service: "sns",
        operation: "SetTopicAttributes",
        params: { TopicArn: TOPIC, AttributeName: "Policy", AttributeValue: kept(partner) },
        region: "eu-west-1",
      },
    ]);
  });

  it("gives a topic left with no statement AWS's default owner-only policy, which is not public", () => {
    const calls = callsOf(staticPlan(ACTION, sns(doc(anyone))));

    expect(calls).toEqual([
      expect.objectContaining({ params: expect.objectContaining({ AttributeValue: defaultTopicPolicy(TOPIC) }) }),
    ]);
    expect(isPublicPolicy(defaultTopicPolicy(TOPIC))).toBe(false);
    expect(JSON.parse(defaultTopicPolicy(TOPIC)).Statement[0].Condition).toEqual({
      StringEquals: { "AWS:SourceOwner": "123456789012" },
    });
  });

  it("keeps statements a condition pins to the organisation", () => {
    expect(callsOf(staticPlan(ACTION, sns(doc(anyone, pinned))))).toMatchObject([
      { params: { AttributeValue: kept(pinned) } },
    ]);
  });

  it("rebuilds the SQS queue URL from its region, account and name, and clears a policy left empty", () => {
    const queue = found({
      service: "sqs",
      resourceName: "https://us-west-2.queue.amazonaws.com/123456789012/orders.fifo",
      policy: doc(anyone),
    });

    expect(callsOf(staticPlan(ACTION, queue))).toEqual([
      {
        service: "sqs",
        operation: "SetQueueAttributes",
        params: {
          QueueUrl: "https://sqs.us-west-2.amazonaws.com/123456789012/orders.fifo",
          Attributes: { Policy: "" },
        },
        region: "us-west-2",
      },
    ]);
  });

  it("sets the ECR repository policy in the registry, or deletes it when nothing remains", () => {
    const repo = (policy: string) =>
      found({
        service: "ecr",
        resourceName: "team/app",
        resourceArn: "arn:aws:ecr:us-east-2:123456789012:repository/team/app",
        registryId: "123456789012",
        policy,
      });

    expect(callsOf(staticPlan(ACTION, repo(doc(anyone, partner))))).toEqual([
      {
        service: "ecr",
        operation: "SetRepositoryPolicy",
        params: { registryId: "123456789012", repositoryName: "team/app", policyText: kept(partner) },
        region: "us-east-2",
      },
    ]);
    expect(callsOf(staticPlan(ACTION, repo(doc(anyone))))).toEqual([
      {
        service: "ecr",
        operation: "DeleteRepositoryPolicy",
        params: { registryId: "123456789012", repositoryName: "team/app" },
        region: "us-east-2",
      },
    ]);
  });

  it("puts the secret's resource policy, or deletes it when nothing remains", () => {
    const secretArn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf";
    const secret = (policy: string) =>
      found({ service: "secretsmanager", resourceName: "prod/db", resourceArn: secretArn, policy });

    expect(callsOf(staticPlan(ACTION, secret(doc(partner, anyone))))).toEqual([
      {
        service: "secretsmanager",
        operation: "PutResourcePolicy",
        params: { SecretId: secretArn, ResourcePolicy: kept(partner) },
        region: "eu-west-1",
      },
    ]);
    expect(callsOf(staticPlan(ACTION, secret(doc(anyone))))).toEqual([
      {
        service: "secretsmanager",
        operation: "DeleteResourcePolicy",
        params: { SecretId: secretArn },
        region: "eu-west-1",
      },
    ]);
  });

  it("puts the KMS key policy without the public statement, and refuses to leave a key without one", () => {
    const key = (policy: string) => found({ service: "kms", resourceName: KEY, policy });

    expect(callsOf(staticPlan(ACTION, key(doc(partner, anyone))))).toEqual([
      {
        service: "kms",
        operation: "PutKeyPolicy",
        params: { KeyId: KEY, PolicyName: "default", Policy: kept(partner) },
        region: "eu-west-1",
      },
    ]);
    expect(staticPlan(ACTION, key(doc(anyone)))).toEqual({
      ok: false,
      note: expect.stringMatching(/would leave the key without a key policy/),
    });
  });

  it("removes exactly the Lambda permission AddPermission added, with the qualifier", () => {
    expect(callsOf(staticPlan(ACTION, lambda()))).toEqual([
      {
        service: "lambda",
        operation: "RemovePermission",
        params: { FunctionName: "orders", StatementId: "open", Qualifier: "live" },
        region: "eu-west-1",
      },
    ]);
  });

  it("marks the policy as read live when the logged one could not be read", () => {
    expect(callsOf(staticPlan(ACTION, sns("{not json")))).toEqual([
      expect.objectContaining({
        params: expect.objectContaining({ AttributeValue: { $live: "the live policy without its public statements" } }),
      }),
    ]);
  });

  it.each([
    ["no service", { service: undefined }, /no service/],
    ["a service it does not change", { service: "s3" }, /no service/],
    ["another account's topic", { resourceArn: TOPIC.replace("123456789012", "210987654321") }, /another account/],
    [
      "a topic ARN of another service",
      { resourceArn: "arn:aws:sqs:eu-west-1:123456789012:alerts" },
      /not a valid sns ARN/,
    ],
    [
      "an SQS URL on another host",
      { service: "sqs", resourceName: "https://evil.example/123456789012/q" },
      /no SQS queue/,
    ],
    [
      "another account's queue",
      { service: "sqs", resourceName: "https://sqs.eu-west-1.amazonaws.com/210987654321/q" },
      /another account/,
    ],
    [
      "another registry",
      { service: "ecr", resourceName: "app", resourceArn: undefined, registryId: "210987654321" },
      /another account's registry/,
    ],
    [
      "an odd repository",
      { service: "ecr", resourceName: "App/../x", resourceArn: undefined },
      /no valid ECR repository/,
    ],
    [
      "a key alias",
      { service: "kms", resourceName: "alias/x", resourceArn: "arn:aws:kms:eu-west-1:123456789012:alias/x" },
      /alias/,
    ],
    ["an odd secret", { service: "secretsmanager", resourceName: "a b", resourceArn: undefined }, /no valid secret/],
  ])("does not apply with %s", (_, facts, reason) => {
    expect(staticPlan(ACTION, sns(doc(anyone), facts))).toEqual({ ok: false, note: expect.stringMatching(reason) });
  });

  it.each([
    ["no statement id", { statementId: "" }, /no valid statement id/],
    ["an odd statement id", { statementId: "a/b" }, /no valid statement id/],
    ["an odd qualifier", { qualifier: "x y" }, /qualifier/],
    [
      "another account's function",
      { functionName: "arn:aws:lambda:eu-west-1:210987654321:function:orders" },
      /another account/,
    ],
    [
      "an ARN and qualifier that disagree",
      { functionName: "arn:aws:lambda:eu-west-1:123456789012:function:orders:v1" },
      /disagree/,
    ],
  ])("does not remove a Lambda permission with %s", (_, facts, reason) => {
    expect(staticPlan(ACTION, lambda(facts))).toEqual({ ok: false, note: expect.stringMatching(reason) });
  });
});

describe("resource-policy-remove-public: live", () => {
  it("keeps the SNS topic's other statements, records the policy it read, and verifies", async () => {
    aws.sns
      .on(GetTopicAttributesCommand)
      .resolvesOnce({ Attributes: { Policy: doc(anyone, partner) } })
      .resolves({ Attributes: { Policy: kept(partner) } });
    aws.sns.on(ListSnsTagsCommand).resolves({ Tags: [{ Key: "team", Value: "ops" }] });

    const { applied, verification } = await remediateAndVerify(ACTION, sns(), config(), approved);

    expect(aws.inputs("SetTopicAttributesCommand")).toEqual([
      { TopicArn: TOPIC, AttributeName: "Policy", AttributeValue: kept(partner) },
    ]);
    expect(aws.inputs("ListTagsForResourceCommand")).toContainEqual({ ResourceArn: TOPIC });
    expect(applied).toMatchObject({
      outcome: "applied",
      before: { source: "live", state: { policy: doc(anyone, partner) }, tags: [{ team: "ops" }] },
      after: { state: { policy: kept(partner) } },
    });
    expect(verification.verified).toBe(true);
  });

  it("is already done when the queue's policy is private or gone", async () => {
    aws.sqs.on(GetQueueAttributesCommand).resolves({ Attributes: {} });
    aws.sqs.on(ListQueueTagsCommand).resolves({ Tags: {} });
    const queue = found({ service: "sqs", resourceName: "orders", policy: doc(anyone) });

    const { applied } = await remediateAndVerify(ACTION, queue, config(), approved);

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("GetQueueAttributesCommand")[0]).toEqual({
      QueueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/orders",
      AttributeNames: ["Policy"],
    });
    expect(aws.inputs("SetQueueAttributesCommand")).toEqual([]);
  });

  it("counts a repository without a policy as done and a deleted repository as gone", async () => {
    const repo = found({ service: "ecr", resourceName: "app", policy: doc(anyone) });
    aws.ecr.on(GetRepositoryPolicyCommand).rejects(awsError("RepositoryPolicyNotFoundException"));
    aws.ecr.on(ListEcrTagsCommand).resolves({ tags: [] });

    const done = await remediateAndVerify(ACTION, repo, config(), approved);
    aws.reset();
    aws.ecr.on(GetRepositoryPolicyCommand).rejects(awsError("RepositoryNotFoundException"));
    const gone = await remediateAndVerify(ACTION, repo, config(), approved);

    expect(done.applied.outcome).toBe("already-done");
    expect(done.verification.verified).toBe(true);
    expect(gone.applied.outcome).toBe("gone");
    expect(aws.inputs("SetRepositoryPolicyCommand")).toEqual([]);
    expect(aws.inputs("DeleteRepositoryPolicyCommand")).toEqual([]);
  });

  it("reads the repository's tags by its ARN and deletes a policy left empty", async () => {
    aws.ecr
      .on(GetRepositoryPolicyCommand)
      .resolvesOnce({ policyText: doc(anyone) })
      .rejects(awsError("RepositoryPolicyNotFoundException"));
    aws.ecr.on(ListEcrTagsCommand).resolves({ tags: [] });
    aws.ecr.on(DeleteRepositoryPolicyCommand).resolves({});

    const { applied, verification } = await remediateAndVerify(
      ACTION,
      found({ service: "ecr", resourceName: "app", registryId: "123456789012", policy: doc(anyone) }),
      config(),
      approved,
    );

    expect(aws.inputs("ListTagsForResourceCommand")).toContainEqual({
      resourceArn: "arn:aws:ecr:eu-west-1:123456789012:repository/app",
    });
    expect(aws.inputs("DeleteRepositoryPolicyCommand")).toEqual([
      { registryId: "123456789012", repositoryName: "app" },
    ]);
    expect(applied.outcome).toBe("applied");
    expect(verification.verified).toBe(true);
  });

  it("leaves a protected secret alone (tags read with DescribeSecret)", async () => {
    aws.secretsmanager.on(DescribeSecretCommand).resolves({ Tags: [{ Key: "riposte:protect", Value: "true" }] });
    aws.secretsmanager.on(GetResourcePolicyCommand).resolves({ ResourcePolicy: doc(anyone) });

    const { applied } = await remediateAndVerify(
      ACTION,
      found({ service: "secretsmanager", resourceName: "prod/db", policy: doc(anyone) }),
      config(),
      approved,
    );

    expect(applied.outcome).toBe("skipped");
    expect(applied.error).toMatch(/protected/);
    expect(aws.inputs("DeleteResourcePolicyCommand")).toEqual([]);
  });

  it("fails verification while the key policy still lets anyone in", async () => {
    aws.kms.on(GetKeyPolicyCommand).resolves({ Policy: doc(partner, anyone) });
    aws.kms.on(ListResourceTagsCommand).resolves({ Tags: [] });
    aws.kms.on(PutKeyPolicyCommand).resolves({});

    const { applied, verification } = await remediateAndVerify(
      ACTION,
      found({ service: "kms", resourceName: KEY, policy: doc(partner, anyone) }),
      config(),
      approved,
    );

    expect(aws.inputs("GetKeyPolicyCommand")[0]).toEqual({ KeyId: KEY, PolicyName: "default" });
    expect(applied.outcome).toBe("applied");
    expect(verification).toMatchObject({
      verified: false,
      checks: expect.arrayContaining([
        expect.objectContaining({ ok: false, detail: 'public statements remain: 1 ("Anyone")' }),
      ]),
    });
  });

  it("refuses, live, to leave a key without a key policy", async () => {
    aws.kms.on(GetKeyPolicyCommand).resolves({ Policy: doc(anyone) });
    aws.kms.on(ListResourceTagsCommand).resolves({ Tags: [] });

    const { applied } = await remediateAndVerify(
      ACTION,
      found({ service: "kms", resourceName: KEY, policy: doc(partner, anyone) }),
      config(),
      approved,
    );

    expect(applied).toMatchObject({ outcome: "failed", error: expect.stringMatching(/without a key policy/) });
    expect(aws.inputs("PutKeyPolicyCommand")).toEqual([]);
  });

  it("fails, never guesses, on a live policy it cannot read", async () => {
    aws.sns.on(GetTopicAttributesCommand).resolves({ Attributes: { Policy: '{"Statement": 3}' } });
    aws.sns.on(ListSnsTagsCommand).resolves({ Tags: [] });

    const { applied } = await remediateAndVerify(ACTION, sns(), config(), approved);

    expect(applied).toMatchObject({ outcome: "failed", error: expect.stringMatching(/could not be read/) });
    expect(aws.inputs("SetTopicAttributesCommand")).toEqual([]);
  });

  it("removes the Lambda permission, reading tags with GetFunction, and verifies it gone", async () => {
    const withOpen = doc(
      { Sid: "open", Effect: "Allow", Principal: "*", Action: "lambda:InvokeFunction" },
      {
        Sid: "s3",
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: "lambda:InvokeFunction",
        Condition: { ArnLike: { "AWS:SourceArn": "arn:aws:s3:::uploads" } },
      },
    );
    aws.lambda.on(GetFunctionCommand).resolves({ Tags: { team: "orders" } });
    aws.lambda.on(GetPolicyCommand).resolvesOnce({ Policy: withOpen }).rejects(awsError("ResourceNotFoundException"));
    aws.lambda.on(RemovePermissionCommand).resolves({});

    const { applied, verification } = await remediateAndVerify(ACTION, lambda(), config(), approved);

    expect(aws.inputs("GetFunctionCommand")[0]).toEqual({ FunctionName: "orders", Qualifier: "live" });
    expect(aws.inputs("RemovePermissionCommand")).toEqual([
      { FunctionName: "orders", StatementId: "open", Qualifier: "live" },
    ]);
    expect(applied).toMatchObject({ outcome: "applied", before: { state: { policy: withOpen } } });
    expect(verification.verified).toBe(true);
  });

  it("is already done when the permission was removed meanwhile, and gone with the function", async () => {
    aws.lambda.on(GetFunctionCommand).resolves({ Tags: {} });
    aws.lambda
      .on(GetPolicyCommand)
      .resolvesOnce({ Policy: doc({ Sid: "open", Effect: "Allow", Principal: "*", Action: "lambda:InvokeFunction" }) })
      .resolves({ Policy: doc(partner) });
    aws.lambda.on(RemovePermissionCommand).rejects(awsError("ResourceNotFoundException"));

    const raced = await remediateAndVerify(ACTION, lambda(), config(), approved);
    aws.reset();
    aws.lambda.on(GetFunctionCommand).rejects(awsError("ResourceNotFoundException"));
    const gone = await remediateAndVerify(ACTION, lambda(), config(), approved);

    expect(raced.applied.outcome).toBe("already-done");
    expect(gone.applied.outcome).toBe("gone");
  });

  it("fails verification while another permission still lets anyone invoke the function", async () => {
    const open = (Sid: string) => ({ Sid, Effect: "Allow", Principal: "*", Action: "lambda:InvokeFunction" });
    aws.lambda.on(GetFunctionCommand).resolves({ Tags: {} });
    aws.lambda
      .on(GetPolicyCommand)
      .resolvesOnce({ Policy: doc(open("open"), open("older")) })
      .resolves({ Policy: doc(open("older")) });
    aws.lambda.on(RemovePermissionCommand).resolves({});

    const { applied, verification } = await remediateAndVerify(ACTION, lambda(), config(), approved);

    expect(aws.inputs("RemovePermissionCommand")).toEqual([
      { FunctionName: "orders", StatementId: "open", Qualifier: "live" },
    ]);
    expect(applied.outcome).toBe("applied");
    expect(verification).toMatchObject({
      verified: false,
      checks: expect.arrayContaining([
        expect.objectContaining({ name: expect.stringMatching(/permission open no longer public$/), ok: true }),
        expect.objectContaining({ ok: false, detail: 'public statements remain: 1 ("older")' }),
      ]),
    });
  });

  it("never runs without approval", async () => {
    const { applied } = await remediateAndVerify(ACTION, sns());

    expect(applied).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/destructive/) });
    expect(aws.sent()).toEqual([]);
  });
});

describe("resource-policy-remove-public: permissions", () => {
  const granted = (detection: Record<string, unknown>) =>
    permissionsFor(
      actionsInUse(config({ remediation: { mode: "live" }, detections: { "resource-policy-public": detection } })),
    );

  it("are granted while resource-policy-public may remediate, and not once it only notifies or is off", () => {
    const writes = [
      "ecr:DeleteRepositoryPolicy",
      "ecr:SetRepositoryPolicy",
      "kms:PutKeyPolicy",
      "lambda:RemovePermission",
      "secretsmanager:DeleteResourcePolicy",
      "secretsmanager:PutResourcePolicy",
      "sns:SetTopicAttributes",
      "sqs:SetQueueAttributes",
    ];

    expect(granted({})).toEqual(expect.arrayContaining(writes));
    for (const off of [{ mode: "notify" }, { enabled: false }]) {
      expect(granted(off).filter((permission) => writes.includes(permission))).toEqual([]);
    }
  });
});
