import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT, consoleLogin, createSecurityGroup, REGION } from "../../test/fixtures/events/cloudtrail.js";
import { type MotoServer, motoAvailable, motoClientConfig, startMoto } from "../../test/support/moto.js";
import type { EventSource } from "./source.js";
import { createSqsSource } from "./sqs.js";
import { openSourceHarness, type SourceHarness, waitFor } from "./testing.js";

/** A CloudTrail record as an EventBridge rule delivers it to an SQS target (the event itself is the body). */
function envelope(record: Record<string, unknown>): string {
  return JSON.stringify({
    version: "0",
    id: `eb-${String(record.eventID)}`,
    "detail-type":
      record.eventType === "AwsConsoleSignIn" ? "AWS Console Sign In via CloudTrail" : "AWS API Call via CloudTrail",
    source: `aws.${String(record.eventSource).split(".")[0]}`,
    account: ACCOUNT,
    time: record.eventTime,
    region: REGION,
    resources: [],
    detail: record,
  });
}

describe.skipIf(!motoAvailable())("SQS source (moto)", () => {
  let moto: MotoServer;
  let client: SQSClient;
  let queueUrl: string;
  let queueNumber = 0;
  const running: { harness: SourceHarness; source: EventSource }[] = [];

  beforeAll(async () => {
    moto = await startMoto();
    client = new SQSClient(motoClientConfig(moto.endpoint));
  });
  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });
  afterEach(async () => {
    for (const { harness, source } of running.splice(0)) {
      await source.stop();
      harness.close();
    }
  });

  async function newQueue(visibilitySeconds = 1): Promise<string> {
    queueNumber++;
    const created = await client.send(
      new CreateQueueCommand({
        QueueName: `riposte-events-${queueNumber}`,
        Attributes: { VisibilityTimeout: String(visibilitySeconds) },
      }),
    );
    return created.QueueUrl!;
  }

  async function messagesInQueue(url: string): Promise<number> {
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    return Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
  }

  function start(url: string, harness = openSourceHarness(), sqs: Pick<SQSClient, "send"> = client) {
    const source = createSqsSource({ ...harness.context, queueUrl: url, client: sqs, waitSeconds: 1, maxMessages: 10 });
    running.push({ harness, source });
    source.start();
    return { harness, source };
  }

  it("persists the events of EventBridge envelopes (also wrapped in SNS notifications), then deletes their messages", async () => {
    queueUrl = await newQueue(30); // no redelivery wanted here, however slow the machine
    await client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: envelope(consoleLogin(false, { eventId: "q-1" })) }),
    );
    await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: envelope(createSecurityGroup("sg-9", "db", {}, { eventId: "q-2" })),
      }),
    );
    // An SNS topic between the rule and the queue (raw delivery off) wraps the envelope.
    const wrapped = {
      Type: "Notification",
      MessageId: "5f0e6a4c-9c1b-5d0e-8c43-0a4c3b9e1d2f",
      TopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:riposte-events`,
      Message: envelope(consoleLogin(true, { eventId: "q-sns" })),
      Timestamp: "2024-05-01T10:00:01.000Z",
    };
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(wrapped) }));

    const { harness, source } = start(queueUrl);
    await waitFor("the three events", () => harness.pending().length === 3);

    expect(
      harness
        .pending()
        .map((event) => event.id)
        .sort(),
    ).toEqual(["q-1", "q-2", "q-sns"]);
    let left = -1;
    for (let attempt = 0; attempt < 100 && left !== 0; attempt++) {
      left = await messagesInQueue(queueUrl);
      if (left !== 0) await new Promise((done) => setTimeout(done, 50));
    }
    expect(left).toBe(0);
    // The source records the delivery once DeleteMessageBatch has answered, which can be just after
    // moto already shows the queue empty.
    await waitFor("the delivery recorded", () => source.status().lastEventAt !== undefined);
    expect(source.status()).toMatchObject({ name: "sqs riposte-events-1", lastEventAt: "2024-05-01T10:00:00.000Z" });
    expect(source.status().error).toBeUndefined();
  });

  it("keeps a message whose events could not be persisted, and reads it again", async () => {
    queueUrl = await newQueue();
    await client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: envelope(consoleLogin(false, { eventId: "q-3" })) }),
    );
    const harness = openSourceHarness();
    // Arrange: the first intake fails (a full disk, say); the message must not be deleted.
    const inbox = harness.context.inbox;
    let failures = 0;
    const failingOnce = new Proxy(inbox, {
      get(target, key) {
        if (key === "add")
          return (...args: Parameters<typeof inbox.add>) => {
            if (failures++ === 0) return Promise.reject(new Error("SQLITE_FULL: database or disk is full"));
            return target.add(...args);
          };
        const value = Reflect.get(target, key, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const source = createSqsSource({
      ...harness.context,
      inbox: failingOnce,
      queueUrl,
      client,
      waitSeconds: 1,
      maxMessages: 10,
      maxBackoffMs: 50,
    });
    running.push({ harness, source });
    source.start();

    await waitFor("the event after a redelivery", () => harness.pending().length === 1);

    expect(failures).toBeGreaterThanOrEqual(2);
    expect(harness.pending().map((event) => event.id)).toEqual(["q-3"]);
    expect(harness.logs.some((line) => line.msg === "cannot read the queue; retrying")).toBe(true);
  });

  it("recognises a redelivered message whose deletion was lost (its event is in the inbox once)", async () => {
    queueUrl = await newQueue();
    await client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: envelope(consoleLogin(false, { eventId: "q-4" })) }),
    );
    // Arrange: the first DeleteMessageBatch never reaches the queue (the process died just before).
    let receives = 0;
    let deletesDropped = 0;
    const flaky: Pick<SQSClient, "send"> = {
      send: ((command: { constructor: { name: string } }, options?: unknown) => {
        if (command.constructor.name === "ReceiveMessageCommand") receives++;
        if (command.constructor.name === "DeleteMessageBatchCommand" && deletesDropped === 0) {
          deletesDropped++;
          return Promise.resolve({ Successful: [], Failed: [] });
        }
        return (client.send as (c: unknown, o?: unknown) => Promise<unknown>)(command, options);
      }) as SQSClient["send"],
    };
    const { harness } = start(queueUrl, openSourceHarness(), flaky);

    await waitFor("the message deleted after its redelivery", () => deletesDropped === 1 && receives >= 3, 20_000);
    let left = -1;
    for (let attempt = 0; attempt < 100 && left !== 0; attempt++) {
      left = await messagesInQueue(queueUrl);
      if (left !== 0) await new Promise((done) => setTimeout(done, 50));
    }

    expect(left).toBe(0);
    expect(harness.pending().map((event) => event.id)).toEqual(["q-4"]);
  });

  it("leaves a poison message in the queue for its dead-letter queue and reads the others", async () => {
    queueUrl = await newQueue();
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "<not json>" }));
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ hello: "world" }) }));
    await client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: envelope(consoleLogin(false, { eventId: "q-5" })) }),
    );

    const { harness, source } = start(queueUrl);
    await waitFor("the good event", () => harness.pending().length === 1);
    await waitFor(
      "both poison messages reported",
      () =>
        harness.logs.filter((line) => line.msg === "message left in the queue for its dead-letter queue").length >= 2,
    );
    // Assert: the two unusable messages stay (the redrive policy moves them), reported once each.
    await new Promise((done) => setTimeout(done, 1500)); // past the visibility timeout: they come back
    const reports = harness.logs.filter((line) => line.msg === "message left in the queue for its dead-letter queue");
    expect(reports).toHaveLength(2);
    expect(reports.map((line) => line.reason)).toContain("the message body is not JSON");
    expect(await messagesInQueue(queueUrl)).toBe(2);
    expect(harness.pending().map((event) => event.id)).toEqual(["q-5"]);
    expect(source.status().error).toBeUndefined();
  });

  it("resumes after a restart with what arrived while it was stopped", async () => {
    // A short visibility timeout: stopping abandons a long poll in flight, and a message the queue
    // hands to it anyway comes back only once that timeout passes (delayed, never lost).
    queueUrl = await newQueue();
    await client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: envelope(consoleLogin(false, { eventId: "q-6" })) }),
    );
    const first = start(queueUrl);
    await waitFor("the first event", () => first.harness.pending().length === 1);
    await first.source.stop();
    first.harness.close();
    running.length = 0;

    await client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: envelope(consoleLogin(false, { eventId: "q-7" })) }),
    );
    const second = start(queueUrl, openSourceHarness(first.harness.dataDir));
    await waitFor("the second event", () => second.harness.pending().length === 2);

    expect(second.harness.pending().map((event) => event.id)).toEqual(["q-6", "q-7"]);
    await client.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
  });

  it("is caught up (no lag) once it emptied the queue, even while the next long poll waits", async () => {
    queueUrl = await newQueue(30); // no redelivery wanted here, however slow the machine
    await client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: envelope(consoleLogin(false, { eventId: "q-8" })) }),
    );
    await new Promise((done) => setTimeout(done, 1500)); // the message waits a while in the queue
    const harness = openSourceHarness();
    const source = createSqsSource({ ...harness.context, queueUrl, client, waitSeconds: 20, maxMessages: 10 });
    running.push({ harness, source });
    source.start();

    await waitFor("the event", () => harness.pending().length === 1);
    await new Promise((done) => setTimeout(done, 1000)); // the next receive is waiting on an empty queue

    expect(source.status().lagSeconds).toBe(0);
  });

  it("reports a queue it cannot read as the source's error, and lag growing since it last could", async () => {
    const harness = openSourceHarness();
    const clock = { offset: 0 };
    harness.context.now = () => Date.now() + clock.offset;
    const missing = `${moto.endpoint}/${ACCOUNT}/no-such-queue`;
    const source = createSqsSource({
      ...harness.context,
      queueUrl: missing,
      client,
      waitSeconds: 1,
      maxMessages: 10,
      maxBackoffMs: 50,
    });
    running.push({ harness, source });
    source.start();

    await waitFor("an error", () => source.status().error !== undefined);
    clock.offset = 90_000;

    expect(source.status().error).toMatch(/NonExistentQueue|QueueDoesNotExist/);
    expect(source.status().lagSeconds).toBeGreaterThanOrEqual(90);
  });
});
