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
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Incident } from "../../core/model/incident.js";
import { ACCOUNT, REGION } from "../fixtures/events/cloudtrail.js";
import {
  policyText,
  putKeyPolicy,
  putSecretPolicy,
  STORAGE_EXPOSURE_SCENARIOS,
  setRepositoryPolicy,
} from "../fixtures/events/scenarios/storage-exposure.js";
import { motoSuite } from "../remediation/harness.js";
import { motoAvailable } from "../support/moto.js";
import { adapt, now, type ServeLive, SUITE_OPTIONS, scenarioRecords, startServeLive } from "./serve.js";

/**
 * resource-policy-remove-public, end to end: an SNS topic policy, an SQS queue policy, an ECR
 * repository policy, a secret's resource policy and a KMS key policy opened to everyone, and a
 * Lambda permission granted to anyone, in the emulated account; the records CloudTrail logs for
 * them (the storage-exposure scenarios and their builders, with moto's ids) go to `riposte serve
 * --remediate live` in one delivery; each incident waits for approval, is approved through the
 * dashboard's API, and each resource is read back once MITIGATED: the public statements gone, the
 * others kept. A key created with a policy that is only a public statement is not approved: no
 * plan can leave a key without a key policy, so the incident is notified and the key untouched.
 */

/** The scenario builders' KMS key id and secret ARN, swapped for moto's. */
const SCENARIO_KEY = "1234abcd-12ab-34cd-56ef-1234567890ab";
const SCENARIO_SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/db-AbCdEf`;
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:alerts`;
const QUEUE = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/orders`;

const anyone = (Action: string) => ({ Sid: "Open", Effect: "Allow", Principal: "*", Action, Resource: "*" });
const partner = (Action: string) => ({
  Sid: "Partner",
  Effect: "Allow",
  Principal: { AWS: "arn:aws:iam::210987654321:root" },
  Action,
  Resource: "*",
});
const root = {
  Sid: "Root",
  Effect: "Allow",
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
  Action: "kms:*",
  Resource: "*",
};
/** ECR repository policies name no Resource (the repository is the resource). */
const pullByAnyone = { Sid: "Open", Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage" };
const sids = (policy: string | undefined) =>
  (JSON.parse(policy ?? '{"Statement": []}').Statement as { Sid?: string }[]).map((statement) => statement.Sid);

describe.skipIf(!motoAvailable())(
  motoSuite("riposte serve --remediate live: resource policy actions"),
  SUITE_OPTIONS,
  () => {
    let live: ServeLive;
    let keyId: string;
    /** The CreateKey scenario's key: created with a policy whose only statement is public. */
    let lonelyKey: string;
    let secretArn: string;
    const clients: { destroy(): void }[] = [];
    const client = <T extends { destroy(): void }>(Client: new (config: ReturnType<ServeLive["aws"]>) => T) => {
      const made = new Client(live.aws());
      clients.push(made);
      return made;
    };
    /** Each resource's incident, approved through the dashboard's API once it waits for approval. */
    const approved = new Map<string, Incident>();

    beforeAll(async () => {
      live = await startServeLive();

      // Arrange: each resource made public in the emulated account…
      const sns = client(SNSClient);
      await sns.send(new CreateTopicCommand({ Name: "alerts" }));
      const topicPolicy = policyText({ ...anyone("SNS:Publish"), Principal: { AWS: "*" } });
      await sns.send(
        new SetTopicAttributesCommand({ TopicArn: TOPIC, AttributeName: "Policy", AttributeValue: topicPolicy }),
      );
      // The CreateTopic scenario's topic, renamed: created with its public policy.
      await sns.send(
        new CreateTopicCommand({ Name: "broadcast", Attributes: { Policy: policyText(anyone("SNS:Subscribe")) } }),
      );
      const sqs = client(SQSClient);
      await sqs.send(
        new CreateQueueCommand({
          QueueName: "orders",
          Attributes: { Policy: policyText(anyone("sqs:ReceiveMessage")) },
        }),
      );
      // The CreateQueue scenario's queue, renamed.
      await sqs.send(
        new CreateQueueCommand({
          QueueName: "inbox",
          Attributes: {
            Policy: policyText({ ...anyone("sqs:SendMessage"), Principal: { AWS: "*" } }),
            VisibilityTimeout: "30",
          },
        }),
      );
      const ecr = client(ECRClient);
      await ecr.send(new CreateRepositoryCommand({ repositoryName: "app" }));
      const repositoryPolicy = policyText(pullByAnyone);
      await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: "app", policyText: repositoryPolicy }));
      const secrets = client(SecretsManagerClient);
      secretArn = (await secrets.send(new CreateSecretCommand({ Name: "prod/db", SecretString: "s" }))).ARN!;
      const secretPolicy = policyText(
        partner("secretsmanager:GetSecretValue"),
        anyone("secretsmanager:GetSecretValue"),
      );
      await secrets.send(new PutResourcePolicyCommand({ SecretId: secretArn, ResourcePolicy: secretPolicy }));
      const kms = client(KMSClient);
      keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      const keyPolicy = policyText(root, { ...anyone("kms:Decrypt"), Principal: { AWS: "*" } });
      await kms.send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: "default", Policy: keyPolicy }));
      lonelyKey = (await kms.send(new CreateKeyCommand({ Policy: policyText(anyone("kms:*")) }))).KeyMetadata!.KeyId!;
      const { Role } = await client(IAMClient).send(
        new CreateRoleCommand({
          RoleName: "billing-role",
          AssumeRolePolicyDocument: policyText({
            Effect: "Allow",
            Principal: { Service: "lambda.amazonaws.com" },
            Action: "sts:AssumeRole",
          }),
        }),
      );
      const lambda = client(LambdaClient);
      // billing: the Stratus Red Team scenario's function; payroll: the older API name's, renamed.
      for (const FunctionName of ["billing", "payroll"]) {
        await lambda.send(
          new CreateFunctionCommand({
            FunctionName,
            Runtime: "python3.12",
            Role: Role!.Arn,
            Handler: "index.handler",
            // An empty zip archive: the function is never invoked.
            Code: { ZipFile: new Uint8Array([80, 75, 5, 6, ...new Array(18).fill(0)]) },
          }),
        );
        const invoke = { FunctionName, Action: "lambda:InvokeFunction" };
        await lambda.send(
          new AddPermissionCommand({
            ...invoke,
            StatementId: "uploads",
            Principal: "s3.amazonaws.com",
            SourceArn: "arn:aws:s3:::uploads",
          }),
        );
        await lambda.send(new AddPermissionCommand({ ...invoke, StatementId: "backdoor", Principal: "*" }));
      }

      // …and the records CloudTrail logs for them, in one delivery.
      const time = now();
      const ids = { [SCENARIO_KEY]: keyId, [SCENARIO_SECRET_ARN]: secretArn };
      await live.deliver(
        ...scenarioRecords(
          STORAGE_EXPOSURE_SCENARIOS,
          "resource-policy-public",
          "an SNS topic policy opened to everyone (SetTopicAttributes)",
        ),
        ...scenarioRecords(
          STORAGE_EXPOSURE_SCENARIOS,
          "resource-policy-public",
          "an SQS queue policy opened to everyone (SetQueueAttributes)",
        ),
        setRepositoryPolicy(repositoryPolicy, { time }),
        adapt(putSecretPolicy(secretPolicy, { time }), ids),
        adapt(putKeyPolicy(keyPolicy, { time }), ids),
        ...scenarioRecords(
          STORAGE_EXPOSURE_SCENARIOS,
          "resource-policy-public",
          "a Lambda function anyone may invoke (Stratus Red Team's detonation)",
        ),
        ...scenarioRecords(
          STORAGE_EXPOSURE_SCENARIOS,
          "resource-policy-public",
          "an SNS topic created with a public policy",
          {
            alerts: "broadcast",
          },
        ),
        ...scenarioRecords(
          STORAGE_EXPOSURE_SCENARIOS,
          "resource-policy-public",
          "an SQS queue created with a public policy",
          {
            orders: "inbox",
          },
        ),
        ...scenarioRecords(
          STORAGE_EXPOSURE_SCENARIOS,
          "resource-policy-public",
          "a Lambda permission under the older API version name",
          { billing: "payroll" },
        ),
        ...scenarioRecords(
          STORAGE_EXPOSURE_SCENARIOS,
          "resource-policy-public",
          "a KMS key created with a public policy",
          { [SCENARIO_KEY]: lonelyKey },
        ),
      );

      // A resource policy change waits for a person: each is approved through the dashboard's API.
      const resources = [TOPIC, "orders", "app", secretArn, keyId, "billing", "broadcast", "inbox", "payroll"];
      for (const resource of resources) {
        const waiting = await live.settle("resource-policy-public", ["AWAITING_APPROVAL", "FAILED"], resource);
        expect(waiting.status).toBe("AWAITING_APPROVAL");
        await live.approve(waiting.id);
        approved.set(resource, waiting);
      }
    }, 120_000);
    afterAll(async () => {
      for (const made of clients) made.destroy();
      await live?.stop();
    });

    /** The incident on `resource`, MITIGATED live by resource-policy-remove-public. */
    async function mitigated(resource: string): Promise<Incident> {
      const incident = await live.settle("resource-policy-public", ["MITIGATED", "FAILED"], resource);
      expect(incident.id).toBe(approved.get(resource)?.id);
      expect(incident).toMatchObject({ status: "MITIGATED", mode: "live" });
      expect(incident.actions).toMatchObject([{ action: "resource-policy-remove-public", outcome: "applied" }]);
      return incident;
    }

    it("SNS: the topic gets its default owner-only policy back when only the public statement was there", async () => {
      await mitigated(TOPIC);

      const after = await client(SNSClient).send(new GetTopicAttributesCommand({ TopicArn: TOPIC }));
      const policy = JSON.parse(after.Attributes?.Policy ?? "{}");
      expect(policy.Statement.map((statement: { Sid?: string }) => statement.Sid)).toEqual(["__default_statement_ID"]);
      expect(policy.Statement[0].Condition).toEqual({ StringEquals: { "AWS:SourceOwner": ACCOUNT } });
    });

    it("SQS: the queue policy, only the public statement, is cleared", async () => {
      await mitigated("orders");

      const after = await client(SQSClient).send(
        new GetQueueAttributesCommand({ QueueUrl: QUEUE, AttributeNames: ["Policy"] }),
      );
      expect(after.Attributes?.Policy).toBeUndefined();
    });

    it("ECR: the repository policy left with no statement is deleted", async () => {
      await mitigated("app");

      await expect(
        client(ECRClient).send(new GetRepositoryPolicyCommand({ repositoryName: "app" })),
      ).rejects.toMatchObject({ name: "RepositoryPolicyNotFoundException" });
    });

    it("Secrets Manager: the public statement is removed, the partner's kept", async () => {
      await mitigated(secretArn);

      const after = await client(SecretsManagerClient).send(new GetResourcePolicyCommand({ SecretId: secretArn }));
      expect(sids(after.ResourcePolicy)).toEqual(["Partner"]);
    });

    it("KMS: the public statement is removed from the key policy, the account's kept", async () => {
      await mitigated(keyId);

      const after = await client(KMSClient).send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: "default" }));
      expect(sids(after.Policy)).toEqual(["Root"]);
    });

    it("Lambda: the public permission AddPermission added is removed, the S3 one kept", async () => {
      const incident = await mitigated("billing");

      expect(incident.actions[0]?.calls).toMatchObject([
        { operation: "RemovePermission", params: { FunctionName: "billing", StatementId: "backdoor" } },
      ]);
      const after = await client(LambdaClient).send(new GetPolicyCommand({ FunctionName: "billing" }));
      expect(sids(after.Policy)).toEqual(["uploads"]);
    });

    it("SNS: a topic created with a public policy gets the default owner-only policy", async () => {
      const topicArn = TOPIC.replace(/alerts$/, "broadcast");
      await mitigated("broadcast");

      const after = await client(SNSClient).send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
      expect(sids(after.Attributes?.Policy)).toEqual(["__default_statement_ID"]);
    });

    it("SQS: a queue created with a public policy has it cleared, its other attributes kept", async () => {
      await mitigated("inbox");

      const after = await client(SQSClient).send(
        new GetQueueAttributesCommand({
          QueueUrl: QUEUE.replace(/orders$/, "inbox"),
          AttributeNames: ["Policy", "VisibilityTimeout"],
        }),
      );
      expect(after.Attributes?.Policy).toBeUndefined();
      expect(after.Attributes?.VisibilityTimeout).toBe("30");
    });

    it("Lambda: a permission logged under the older API version name is removed too", async () => {
      await mitigated("payroll");

      const after = await client(LambdaClient).send(new GetPolicyCommand({ FunctionName: "payroll" }));
      expect(sids(after.Policy)).toEqual(["uploads"]);
    });

    it("KMS: a key whose every statement is public is not left without a key policy: notified, nothing planned, the policy untouched", async () => {
      // The plan is refused from the logged policy already (AWS does not allow a key without a key
      // policy): the incident goes to a person without an approval to ask for.
      const incident = await live.settle("resource-policy-public", ["NOTIFIED", "MITIGATED", "FAILED"], lonelyKey);

      expect(incident).toMatchObject({ status: "NOTIFIED" });
      expect(incident.actions ?? []).toEqual([]);
      const after = await client(KMSClient).send(new GetKeyPolicyCommand({ KeyId: lonelyKey, PolicyName: "default" }));
      expect(sids(after.Policy)).toEqual(["Open"]);
    });
  },
);
