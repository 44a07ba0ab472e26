import { type ApiGatewayManagementApiClient, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
import { changedMessage } from "../../core/api/live.js";
import type { Logger } from "../../core/log.js";
import type { LiveMessage } from "../../core/model/messages.js";
import type { ConnectionRegistry } from "../../core/store/dynamodb/connections.js";

/**
 * Send live messages to every open API Gateway WebSocket connection, in order. A connection that
 * is gone (410) is removed from the registry; any other failure is logged and that connection
 * skips the rest of this batch (the dashboard resyncs over REST when it notices).
 */
export interface FanoutDeps {
  connections: ConnectionRegistry;
  management: ApiGatewayManagementApiClient;
  logger: Logger;
  /** Connections posted to at once. */
  concurrency?: number;
}

export interface FanoutResult {
  connections: number;
  sent: number;
  gone: number;
  failed: number;
}

/** API Gateway WebSocket frames are limited to 32 KB. */
const MAX_FRAME_BYTES = 32 * 1024;

/** A created message too large for a frame is sent as a change; the client fetches the rest. */
export function fitForFrame(message: LiveMessage): string {
  const text = JSON.stringify(message);
  if (Buffer.byteLength(text) <= MAX_FRAME_BYTES || message.type !== "incident.created") return text;
  return JSON.stringify(changedMessage(message.incident));
}

function isGone(error: unknown): boolean {
  const failure = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return failure?.name === "GoneException" || failure?.$metadata?.httpStatusCode === 410;
}

export async function fanOut(messages: readonly LiveMessage[], deps: FanoutDeps): Promise<FanoutResult> {
  const frames = messages.map(fitForFrame);
  const ids = frames.length ? await deps.connections.list() : [];
  const result: FanoutResult = { connections: ids.length, sent: 0, gone: 0, failed: 0 };
  const queue = [...ids];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      for (const frame of frames) {
        try {
          await deps.management.send(new PostToConnectionCommand({ ConnectionId: id, Data: Buffer.from(frame) }));
          result.sent += 1;
        } catch (error) {
          if (isGone(error)) {
            result.gone += 1;
            await deps.connections.remove(id);
          } else {
            result.failed += 1;
            deps.logger.warn("live message not delivered", { connectionId: id, error });
          }
          break;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(deps.concurrency ?? 20, queue.length) }, worker));
  return result;
}
