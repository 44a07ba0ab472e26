import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { notifyIncident } from "../../core/notify/notify.js";
import { type MotoServer, motoAvailable, motoClientConfig, startMoto } from "../support/moto.js";
import { makeDeps, makeIncident } from "./fixtures.js";

/**
 * SNS Publish against moto: a real topic with an SQS subscriber receives the machine-readable
 * variant of the JSON-structured message.
 */
describe.skipIf(!motoAvailable())("SNS notices (moto)", () => {
  let moto: MotoServer;

  beforeAll(async () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", "testing");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "testing");
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
    vi.unstubAllEnvs();
  });

  it("delivers the SQS variant of the notice to a subscribed queue", async () => {
    const config = motoClientConfig(moto.endpoint);
    const sns = new SNSClient(config);
    const sqs = new SQSClient(config);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "riposte-alerts" }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "pager" }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: "sqs",
        Endpoint: Attributes?.QueueArn,
        Attributes: { RawMessageDelivery: "true" },
      }),
    );
    const deps = makeDeps({
      config: { notify: { sns: { topicArn: TopicArn as string } } },
      overrides: { aws: { endpoint: moto.endpoint, region: "us-east-1", maxAttempts: 1 } },
    });
    const incident = makeIncident({ score: { value: 70, priority: "P2", factors: [] } });
    await deps.store.createIncident(incident);

    const result = await notifyIncident({ incident, kind: "opened" }, deps);

    expect(result.failures).toEqual([]);
    expect(result.sns?.messageId).toMatch(/.+/);
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }),
    );
    const body = JSON.parse(received.Messages?.[0]?.Body ?? "{}");
    expect(body).toMatchObject({ version: 1, kind: "opened", incidentId: incident.id, priority: "P2", status: "NEW" });
    expect((await deps.store.getIncident(incident.id))?.notifications?.snsMessageIds).toEqual([result.sns?.messageId]);
  });

  it("records a missing topic as a failure instead of throwing", async () => {
    const deps = makeDeps({
      config: { notify: { sns: { topicArn: "arn:aws:sns:us-east-1:123456789012:does-not-exist" } } },
      overrides: { aws: { endpoint: moto.endpoint, region: "us-east-1", maxAttempts: 1 } },
    });
    const incident = makeIncident();
    await deps.store.createIncident(incident);

    const result = await notifyIncident({ incident, kind: "opened" }, deps);

    expect(result.failures).toEqual([expect.stringMatching(/^sns: NotFound/)]);
  });
});
