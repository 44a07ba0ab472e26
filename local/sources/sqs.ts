import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { normalizeRecords } from "../../core/events/index.js";
import type { SecurityEvent } from "../../core/model/event.js";
import { describe, type EventSource, newestOf, pause, type SourceContext, SourceHealth } from "./source.js";

/**
 * An SQS queue fed by an EventBridge rule (CloudTrail, GuardDuty and Config events as their
 * EventBridge envelopes; SNS notifications wrapping them are read too). Messages are received
 * with long polling, their events persisted in the inbox, and only then deleted: a crash in
 * between redelivers them, and the inbox recognises events it already has. A message with no
 * usable event is left in the queue, so the queue's redrive policy moves it to its dead-letter
 * queue (configure one) instead of Riposte dropping it.
 */

export interface SqsSourceOptions extends SourceContext {
  queueUrl: string;
  client: Pick<SQSClient, "send">;
  waitSeconds: number;
  maxMessages: number;
  /** Longest pause between attempts while the queue cannot be read (default 30 s). */
  maxBackoffMs?: number;
}

const SOURCE = "sqs";

/** The queue's name, for logs and event origins (never the whole URL with its account). */
function queueName(url: string): string {
  return url.replace(/\/+$/, "").split("/").at(-1) || "queue";
}

export function createSqsSource(options: SqsSourceOptions): EventSource {
  const name = queueName(options.queueUrl);
  const health = new SourceHealth(`sqs ${name}`, options.now);
  const logger = options.logger.child({ source: SOURCE, queue: name });
  const abort = new AbortController();
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  let running: Promise<void> = Promise.resolve();
  /** Messages already reported as unusable (they come back until the queue's redrive moves them). */
  const reported = new Set<string>();

  /** The events of one message, or why it has none. */
  function eventsOf(message: Message): { events: SecurityEvent[] } | { error: string } {
    let value: unknown;
    try {
      value = JSON.parse(message.Body ?? "");
    } catch {
      return { error: "the message body is not JSON" };
    }
    const { events, errors } = normalizeRecords(value, `sqs:${name}`);
    if (events.length === 0) return { error: errors[0]?.error ?? "the message holds no event" };
    for (const error of errors)
      logger.warn("unreadable record in a message", { messageId: message.MessageId, ...error });
    return { events };
  }

  async function deleteMessages(messages: readonly Message[]): Promise<void> {
    for (let start = 0; start < messages.length; start += 10) {
      const batch = messages.slice(start, start + 10);
      const result = await options.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: batch.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
        }),
      );
      for (const failure of result.Failed ?? []) {
        // Persisted already: a redelivery is recognised by the inbox.
        logger.warn("message not deleted; it will be delivered again", { code: failure.Code, id: failure.Id });
      }
    }
  }

  async function receiveOnce(): Promise<void> {
    const received = await options.client.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: options.maxMessages,
        WaitTimeSeconds: options.waitSeconds,
        MessageSystemAttributeNames: ["SentTimestamp"],
      }),
      { abortSignal: abort.signal },
    );
    const messages = received.Messages ?? [];
    health.recovered();
    if (messages.length === 0) {
      health.behind(undefined);
      return;
    }
    const events: SecurityEvent[] = [];
    const usable: Message[] = [];
    for (const message of messages) {
      const found = eventsOf(message);
      if ("events" in found) {
        events.push(...found.events);
        usable.push(message);
      } else if (!reported.has(message.MessageId ?? "")) {
        reported.add(message.MessageId ?? "");
        logger.error("message left in the queue for its dead-letter queue", {
          messageId: message.MessageId,
          reason: found.error,
        });
      }
    }
    await options.inbox.add(events, SOURCE);
    if (usable.length > 0) await deleteMessages(usable);
    health.delivered(newestOf(events));
    // A full batch may leave more waiting: behind since the oldest message received. A partial
    // one emptied the queue: caught up (the lag must not keep growing during the next long poll).
    const sent = messages.map((message) => Number(message.Attributes?.SentTimestamp)).filter(Number.isFinite);
    health.behind(messages.length >= options.maxMessages && sent.length > 0 ? Math.min(...sent) : undefined);
    logger.debug("messages received", { messages: messages.length, events: events.length });
  }

  async function loop(): Promise<void> {
    let backoff = 1000;
    // While the queue cannot be read, the runtime is behind since it last could (or since start).
    let readAt = options.now();
    while (!abort.signal.aborted) {
      try {
        await receiveOnce();
        readAt = options.now();
        backoff = 1000;
      } catch (error) {
        if (abort.signal.aborted) return;
        health.failed(error);
        health.behind(readAt);
        logger.warn("cannot read the queue; retrying", { error: describe(error), retryInMs: backoff });
        await pause(backoff, abort.signal);
        backoff = Math.min(backoff * 2, maxBackoff);
      }
    }
  }

  return {
    name: health.name,
    start() {
      running = loop();
    },
    async stop() {
      abort.abort();
      await running;
    },
    status: () => health.status(),
  };
}
