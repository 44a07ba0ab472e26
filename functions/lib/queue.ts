import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { z } from "zod";
import { EventEnvelopeSchema } from "../../core/model/event.js";
import { type Finding, FindingSchema } from "../../core/model/incident.js";

/**
 * The correlate queue's messages. Stateful rules deliver EventBridge events as they are; the API
 * intake wraps each posted event (`intake`: every detection runs on it, since no rule selected
 * it); a finding whose workflow could not be started comes back as `start`, so SQS retries it
 * instead of the incident being lost.
 */

export const IntakeMessageSchema = z.object({ riposte: z.literal("intake"), event: EventEnvelopeSchema });
export const StartMessageSchema = z.object({ riposte: z.literal("start"), finding: FindingSchema });

export type QueueMessage =
  | { kind: "rule"; event: unknown }
  | { kind: "intake"; event: z.infer<typeof EventEnvelopeSchema> }
  | { kind: "start"; finding: Finding };

/** Classify a message body; throws naming the problem for one that is none of the three. */
export function parseQueueMessage(body: string): QueueMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new Error(`message body is not JSON: ${(error as Error).message}`);
  }
  const tag = (value as { riposte?: unknown } | null)?.riposte;
  if (tag === "intake") {
    const parsed = IntakeMessageSchema.safeParse(value);
    if (!parsed.success) throw new Error(`intake message is invalid: ${parsed.error.issues[0]?.message}`);
    return { kind: "intake", event: parsed.data.event };
  }
  if (tag === "start") {
    const parsed = StartMessageSchema.safeParse(value);
    if (!parsed.success) throw new Error(`start message is invalid: ${parsed.error.issues[0]?.message}`);
    return { kind: "start", finding: parsed.data.finding };
  }
  if (tag !== undefined) throw new Error(`unknown message kind ${JSON.stringify(tag)}`);
  return { kind: "rule", event: value };
}

/** SQS limits: 10 entries and 256 KiB per SendMessageBatch, 256 KiB per message. */
export const MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_BATCH_ENTRIES = 10;

/** Messages grouped into batches SQS accepts (each message must fit on its own). */
export function batchesOf(bodies: readonly string[]): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const body of bodies) {
    const bytes = Buffer.byteLength(body);
    if (current.length === MAX_BATCH_ENTRIES || size + bytes > MAX_MESSAGE_BYTES) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(body);
    size += bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Send bodies to the queue; answers the indexes (into `bodies`) SQS did not accept, with why. */
export async function sendToQueue(
  client: SQSClient,
  queueUrl: string,
  bodies: readonly string[],
): Promise<{ index: number; error: string }[]> {
  const failed: { index: number; error: string }[] = [];
  let offset = 0;
  for (const batch of batchesOf(bodies)) {
    const response = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((body, index) => ({ Id: String(index), MessageBody: body })),
      }),
    );
    for (const entry of response.Failed ?? []) {
      failed.push({ index: offset + Number(entry.Id), error: `queue refused the event: ${entry.Code ?? "error"}` });
    }
    offset += batch.length;
  }
  return failed;
}

/** Put a finding back on the queue to start its workflow later (after `delaySeconds`). */
export async function requeueStart(
  client: SQSClient,
  queueUrl: string,
  finding: Finding,
  delaySeconds = 30,
): Promise<void> {
  await client.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify({ riposte: "start", finding }),
      DelaySeconds: delaySeconds,
    }),
  );
}
