import {
  CreateRepositoryCommand,
  ECRClient,
  GetRepositoryPolicyCommand,
  SetRepositoryPolicyCommand,
} from "@aws-sdk/client-ecr";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateKeyCommand, GetKeyPolicyCommand, KMSClient, PutKeyPolicyCommand } from "@aws-sdk/client-kms";
import { AddPermissionCommand, CreateFunctionCommand, GetPolicyCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
  CreateSecretCommand,
  GetResourcePolicyCommand,
  PutResourcePolicyCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import {
  CreateTopicCommand,
  GetTopicAttributesCommand,
  SetTopicAttributesCommand,
  SNSClient,
} from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type MotoServer, motoAvailable, motoClientConfig, startMoto } from "../support/moto.js";
import { ACCOUNT, config, incident, REGION } from "./fixtures.js";
import { motoGateway, motoSuite, runEndToEnd, taskDeps } from "./harness.js";

/**
 * resource-policy-remove-public against moto: a resource policy made public on an SNS topic, an
 * SQS queue, an ECR repository, a secret, a KMS key and a Lambda function, then (once approved)
 * the public statements removed and the others kept, read back from the emulated account.
 */

const anyone = { Sid: "Anyone", Effect: "Allow", Principal: "*", Action: "*", Resource: "*" };
const partner = {
  Sid: "Partner",
  Effect: "Allow",
  Principal: { AWS: "arn:aws:iam::210987654321:root" },
  Action: "*",
  Resource: "*",
};
const doc = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const sids = (policy: string | undefined) =>
  (JSON.parse(policy ?? '{"Statement": []}').Statement as { Sid?: string }[]).map((statement) => statement.Sid);

describe.skipIf(!motoAvailable())(motoSuite("resource policy actions"), () => {
  let moto: MotoServer;
  const client = <T>(Client: new (config: ReturnType<typeof motoClientConfig>) => T) =>
    new Client(motoClientConfig(moto.endpoint, REGION));
  beforeAll(async () => {
    moto = await startMoto();
  });
  beforeEach(async () => moto.reset());
  afterAll(async () => moto?.stop());

  /** Plan, approve, remediate and verify the finding; then the same again (a repeated event). */
  async function runTwice(facts: Record<string, unknown>) {
    const run = (id: string) =>
      runEndToEnd(
        { ...incident("resource-policy-public", facts), id },
        taskDeps(config()),
        motoGateway(moto.endpoint),
        { approvedBy: "U0APPROVER" },
      );
    const first = await run(`inc-${String(facts.service)}`);
    const again = await run(`inc-${String(facts.service)}-again`);
    return { first, again };
  }

  it("SNS: keeps the partner statement of the topic policy and drops the public one", async () => {
    const sns = client(SNSClient);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "alerts" }));
    const policy = doc(anyone, partner);
    await sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "Policy", AttributeValue: policy }));

    const { first, again } = await runTwice({ service: "sns", resourceName: TopicArn, resourceArn: TopicArn, policy });

    const after = await sns.send(new GetTopicAttributesCommand({ TopicArn }));
    expect(sids(after.Attributes?.Policy)).toEqual(["Partner"]);
    expect(first.actions[0]).toMatchObject({
      action: "resource-policy-remove-public",
      outcome: "applied",
      before: { state: { policy } },
      calls: [{ operation: "SetTopicAttributes" }],
    });
    expect(first.verification.verified).toBe(true);
    expect(again.actions[0]?.outcome).toBe("already-done");
  });

  it("SQS: clears a queue policy whose only statement is public", async () => {
    const sqs = client(SQSClient);
    const policy = doc(anyone);
    await sqs.send(new CreateQueueCommand({ QueueName: "orders", Attributes: { Policy: policy } }));
    const queueUrl = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/orders`;

    const { first, again } = await runTwice({ service: "sqs", resourceName: queueUrl, policy });

    const after = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["Policy"] }));
    expect(after.Attributes?.Policy).toBeUndefined();
    expect(first.actions[0]).toMatchObject({ outcome: "applied", calls: [{ params: { Attributes: { Policy: "" } } }] });
    expect(first.verification.verified).toBe(true);
    expect(again.actions[0]?.outcome).toBe("already-done");
  });

  it("ECR: deletes a repository policy left with no statement", async () => {
    const ecr = client(ECRClient);
    await ecr.send(new CreateRepositoryCommand({ repositoryName: "team/app" }));
    const policy = doc({ ...anyone, Action: "ecr:BatchGetImage", Resource: undefined });
    await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: "team/app", policyText: policy }));

    const { first, again } = await runTwice({ service: "ecr", resourceName: "team/app", registryId: ACCOUNT, policy });

    await expect(ecr.send(new GetRepositoryPolicyCommand({ repositoryName: "team/app" }))).rejects.toMatchObject({
      name: "RepositoryPolicyNotFoundException",
    });
    expect(first.actions[0]).toMatchObject({ outcome: "applied", calls: [{ operation: "DeleteRepositoryPolicy" }] });
    expect(first.verification.verified).toBe(true);
    expect(again.actions[0]?.outcome).toBe("already-done");
  });

  it("Secrets Manager: keeps the partner statement of the secret's resource policy", async () => {
    const secrets = client(SecretsManagerClient);
    const { ARN } = await secrets.send(new CreateSecretCommand({ Name: "prod/db", SecretString: "s" }));
    const policy = doc(partner, anyone);
    await secrets.send(new PutResourcePolicyCommand({ SecretId: ARN, ResourcePolicy: policy }));

    const { first, again } = await runTwice({
      service: "secretsmanager",
      resourceName: "prod/db",
      resourceArn: ARN,
      policy,
    });

    const after = await secrets.send(new GetResourcePolicyCommand({ SecretId: ARN }));
    expect(sids(after.ResourcePolicy)).toEqual(["Partner"]);
    expect(first.actions[0]).toMatchObject({ outcome: "applied", calls: [{ operation: "PutResourcePolicy" }] });
    expect(first.verification.verified).toBe(true);
    expect(again.actions[0]?.outcome).toBe("already-done");
  });

  it("KMS: keeps the account's statement, and never leaves a key without a key policy", async () => {
    const kms = client(KMSClient);
    const root = {
      Sid: "Root",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: "kms:*",
      Resource: "*",
    };
    const [one, two] = await Promise.all([kms.send(new CreateKeyCommand({})), kms.send(new CreateKeyCommand({}))]);
    const keyId = one.KeyMetadata?.KeyId as string;
    const lonelyKey = two.KeyMetadata?.KeyId as string;
    const policy = doc(root, anyone);
    await kms.send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: "default", Policy: policy }));
    await kms.send(new PutKeyPolicyCommand({ KeyId: lonelyKey, PolicyName: "default", Policy: doc(anyone) }));

    const { first, again } = await runTwice({ service: "kms", resourceName: keyId, policy });
    const refused = await runEndToEnd(
      incident("resource-policy-public", { service: "kms", resourceName: lonelyKey, policy: doc(root, anyone) }),
      taskDeps(config()),
      motoGateway(moto.endpoint),
      { approvedBy: "U0APPROVER" },
    );

    const after = await kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: "default" }));
    const untouched = await kms.send(new GetKeyPolicyCommand({ KeyId: lonelyKey, PolicyName: "default" }));
    expect(sids(after.Policy)).toEqual(["Root"]);
    expect(first.actions[0]).toMatchObject({ outcome: "applied", calls: [{ operation: "PutKeyPolicy" }] });
    expect(first.verification.verified).toBe(true);
    expect(again.actions[0]?.outcome).toBe("already-done");
    expect(refused.actions[0]).toMatchObject({
      outcome: "failed",
      error: expect.stringMatching(/without a key policy/),
    });
    expect(sids(untouched.Policy)).toEqual(["Anyone"]);
  });

  it("Lambda: removes the public permission AddPermission added and keeps the others", async () => {
    const lambda = client(LambdaClient);
    const { Role } = await client(IAMClient).send(
      new CreateRoleCommand({
        RoleName: "orders-role",
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      }),
    );
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: "orders",
        Runtime: "python3.12",
        Role: Role?.Arn,
        Handler: "index.handler",
        Code: { ZipFile: new Uint8Array([80, 75, 5, 6, ...new Array(18).fill(0)]) },
      }),
    );
    const invoke = { FunctionName: "orders", Action: "lambda:InvokeFunction" };
    await lambda.send(new AddPermissionCommand({ ...invoke, StatementId: "open", Principal: "*" }));
    await lambda.send(
      new AddPermissionCommand({
        ...invoke,
        StatementId: "uploads",
        Principal: "s3.amazonaws.com",
        SourceArn: "arn:aws:s3:::uploads",
      }),
    );

    const { first, again } = await runTwice({
      eventName: "AddPermission20150331v2",
      service: "lambda",
      resourceName: "orders",
      functionName: "orders",
      statementId: "open",
      publicStatements: [{ Sid: "open", Effect: "Allow", Principal: "*", Action: "lambda:InvokeFunction" }],
    });

    const after = await lambda.send(new GetPolicyCommand({ FunctionName: "orders" }));
    expect(sids(after.Policy)).toEqual(["uploads"]);
    expect(first.actions[0]).toMatchObject({
      outcome: "applied",
      calls: [{ operation: "RemovePermission", params: { FunctionName: "orders", StatementId: "open" } }],
    });
    expect(first.verification.verified).toBe(true);
    expect(again.actions[0]?.outcome).toBe("already-done");
  });

  it("leaves the topic public without approval", async () => {
    const sns = client(SNSClient);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "public" }));
    const policy = doc(anyone);
    await sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "Policy", AttributeValue: policy }));

    const result = await runEndToEnd(
      incident("resource-policy-public", { service: "sns", resourceName: TopicArn, policy }),
      taskDeps(config()),
      motoGateway(moto.endpoint),
    );

    const after = await sns.send(new GetTopicAttributesCommand({ TopicArn }));
    expect(sids(after.Attributes?.Policy)).toEqual(["Anyone"]);
    expect(result.actions[0]).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/destructive/) });
  });
});
