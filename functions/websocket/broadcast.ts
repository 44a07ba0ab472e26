import { liveMessagesFromStream, type StreamRecord } from "../../core/store/dynamodb/stream.js";
import { type FanoutDeps, type FanoutResult, fanOut } from "./fanout.js";
import { awsLiveDeps } from "./resources.js";

/**
 * The table's DynamoDB stream → every connected dashboard: each incident write becomes one small
 * live message, sent in stream order (Streams keep per-item order).
 */
export function createBroadcastHandler(resolveDeps: () => FanoutDeps | Promise<FanoutDeps>) {
  return async (event: { Records?: StreamRecord[] }): Promise<FanoutResult> => {
    const messages = liveMessagesFromStream(event.Records ?? []);
    if (messages.length === 0) return { connections: 0, sent: 0, gone: 0, failed: 0 };
    const deps = await resolveDeps();
    const result = await fanOut(messages, deps);
    deps.logger.debug("live messages broadcast", { messages: messages.length, ...result });
    return result;
  };
}

export const handler = createBroadcastHandler(awsLiveDeps);
