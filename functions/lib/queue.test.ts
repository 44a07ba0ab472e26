import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { FINDINGS } from "../../test/workflows/fixtures.js";
import { queueIntake } from "./intake.js";
import { batchesOf, MAX_MESSAGE_BYTES, parseQueueMessage, sendToQueue } from "./queue.js";

const sqs = mockClient(SQSClient);
afterEach(() => sqs.reset());

const QUEUE = "https://sqs.eu-west-1.amazonaws.com/123456789012/candidates";

const cloudTrailRecord = (id: string, eventName = "AuthorizeSecurityGroupIngress") => ({
  eventVersion: "1.08",
  eventID: id,
  eventTime: "2026-03-10T14:29:00Z",
  eventSource: "ec2.amazonaws.com",
  eventName,
  awsRegion: "eu-west-1",
  sourceIPAddress: "203.0.113.7",
  userAgent: "aws-cli/2",
  recipientAccountId: "123456789012",
  userIdentity: { type: "IAMUser", arn: "arn:aws:iam::123456789012:user/alice", accountId: "123456789012" },
  requestParameters: { groupId: "sg-1" },
});

describe("correlate queue messages", () => {
  it("tells rule deliveries, intake events and findings to start apart", () => {
    const envelope = {
      version: "0",
      id: "1",
      "detail-type": "x",
      source: "aws.ec2",
      account: "1",
      time: "t",
      region: "r",
      resources: [],
      detail: {},
    };

    expect(parseQueueMessage(JSON.stringify(envelope))).toEqual({ kind: "rule", event: envelope });
    expect(parseQueueMessage(JSON.stringify({ riposte: "intake", event: envelope }))).toEqual({
      kind: "intake",
      event: envelope,
    });
    expect(parseQueueMessage(JSON.stringify({ riposte: "start", finding: FINDINGS.network })).kind).toBe("start");
    expect(() => parseQueueMessage("{")).toThrow(/not JSON/);
    expect(() => parseQueueMessage(JSON.stringify({ riposte: "start", finding: {} }))).toThrow(
      /start message is invalid/,
    );
    expect(() => parseQueueMessage(JSON.stringify({ riposte: "other" }))).toThrow(/unknown message kind/);
  });

  it("batches by SQS's ten entries and 256 KiB", () => {
    const small = Array.from({ length: 23 }, (_, index) => `m${index}`);
    const big = ["a".repeat(MAX_MESSAGE_BYTES - 10), "b".repeat(20), "c"];

    expect(batchesOf(small).map((batch) => batch.length)).toEqual([10, 10, 3]);
    expect(batchesOf(big).map((batch) => batch.length)).toEqual([1, 2]);
  });

  it("reports the entries SQS refused by their index in the input", async () => {
    let batches = 0;
    sqs.on(SendMessageBatchCommand).callsFake(async () => {
      batches += 1;
      return batches === 1 ? { Successful: [], Failed: [{ Id: "3", Code: "Throttled", SenderFault: false }] } : {};
    });

    const failed = await sendToQueue(
      new SQSClient({}),
      QUEUE,
      Array.from({ length: 12 }, (_, i) => `m${i}`),
    );

    expect(failed).toEqual([{ index: 3, error: "queue refused the event: Throttled" }]);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(2);
  });
});

describe("queueIntake", () => {
  it("queues each recognised record as an intake message and reports the rest by index", async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });

    const result = await queueIntake(
      new SQSClient({}),
      QUEUE,
    )({
      Records: [cloudTrailRecord("e-1"), { nothing: "here" }, cloudTrailRecord("e-2")],
    });

    expect(result).toMatchObject({ accepted: 2, rejected: 1, errors: [{ index: 1 }] });
    const entries = sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries ?? [];
    const messages = entries.map((entry) => JSON.parse(entry.MessageBody ?? "{}"));
    expect(messages.map((message) => [message.riposte, message.event.detail.eventID])).toEqual([
      ["intake", "e-1"],
      ["intake", "e-2"],
    ]);
  });

  it("counts an event SQS refused as rejected", async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [{ Id: "0", Code: "InternalError", SenderFault: false }] });

    const result = await queueIntake(new SQSClient({}), QUEUE)([cloudTrailRecord("e-1"), cloudTrailRecord("e-2")]);

    expect(result).toEqual({
      accepted: 1,
      rejected: 1,
      errors: [{ index: 0, error: "queue refused the event: InternalError" }],
    });
  });
});
