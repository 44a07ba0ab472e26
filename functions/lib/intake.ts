import type { SQSClient } from "@aws-sdk/client-sqs";
import { normalizeRecords } from "../../core/events/index.js";
import type { EventsAcceptedResponse } from "../../core/model/api.js";
import { MAX_MESSAGE_BYTES, sendToQueue } from "./queue.js";

/**
 * `POST /api/events` on AWS: the body is normalized as `riposte serve` does, and each event is
 * queued for the correlate function, which runs every detection on it and starts workflows. The
 * answer counts what was queued; one bad record is reported by index and never stops the rest.
 */
export function queueIntake(client: SQSClient, queueUrl: string) {
  return async (body: unknown): Promise<EventsAcceptedResponse> => {
    const { events, errors } = normalizeRecords(body, "api");
    const bodies: string[] = [];
    const positions: number[] = [];
    for (const event of events) {
      // The record's index in the body (positions count records from 1).
      const index = (event.origin?.position ?? 1) - 1;
      const message = JSON.stringify({ riposte: "intake", event: event.envelope });
      if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) {
        errors.push({ index, error: "event is larger than an SQS message (256 KiB)" });
      } else {
        bodies.push(message);
        positions.push(index);
      }
    }
    const failed = bodies.length > 0 ? await sendToQueue(client, queueUrl, bodies) : [];
    for (const failure of failed)
      errors.push({ index: positions[failure.index] ?? failure.index, error: failure.error });
    const accepted = bodies.length - failed.length;
    return { accepted, rejected: errors.length, errors: errors.sort((a, b) => a.index - b.index) };
  };
}
