import type { Logger } from "../../core/log.js";
import type { ConnectionRegistry } from "../../core/store/dynamodb/connections.js";
import type { WebSocketEvent, WebSocketResult } from "./events.js";
import { awsLiveDeps } from "./resources.js";

/** `$disconnect`: forget the connection (its TTL covers a disconnect API Gateway never reports). */
export function createDisconnectHandler(
  resolveDeps: () =>
    | { connections: ConnectionRegistry; logger: Logger }
    | Promise<{ connections: ConnectionRegistry; logger: Logger }>,
) {
  return async (event: WebSocketEvent): Promise<WebSocketResult> => {
    const deps = await resolveDeps();
    await deps.connections.remove(event.requestContext.connectionId);
    deps.logger.info("live client disconnected", { connectionId: event.requestContext.connectionId });
    return { statusCode: 200 };
  };
}

export const handler = createDisconnectHandler(awsLiveDeps);
