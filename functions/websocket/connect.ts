import { bearerToken } from "../../core/api/auth.js";
import { normalizeOrigin } from "../../core/api/cors.js";
import type { Logger } from "../../core/log.js";
import type { ConnectionRegistry } from "../../core/store/dynamodb/connections.js";
import { lowerCaseHeaders, type WebSocketEvent, type WebSocketResult } from "./events.js";
import { awsLiveDeps } from "./resources.js";

export interface ConnectDeps {
  checkToken: (token: string | undefined) => string | undefined;
  connections: ConnectionRegistry;
  /** When set, browsers must come from one of these origins (the token is still required). */
  allowedOrigins: ReadonlySet<string>;
  logger: Logger;
  now: () => Date;
}

/**
 * `$connect`: authorise with the dashboard token (`?token=` — browsers cannot set headers on a
 * WebSocket — or `Authorization: Bearer`), then register the connection. A non-2xx answer makes
 * API Gateway refuse the connection.
 */
export function createConnectHandler(resolveDeps: () => ConnectDeps | Promise<ConnectDeps>) {
  return async (event: WebSocketEvent): Promise<WebSocketResult> => {
    const deps = await resolveDeps();
    const headers = lowerCaseHeaders(event.headers);
    const token = bearerToken(headers.authorization) ?? event.queryStringParameters?.token ?? undefined;
    const principal = deps.checkToken(token);
    if (!principal) return { statusCode: 401, body: "unauthorized" };
    const origin = headers.origin === undefined ? undefined : normalizeOrigin(headers.origin);
    if (deps.allowedOrigins.size > 0 && headers.origin !== undefined && !(origin && deps.allowedOrigins.has(origin))) {
      return { statusCode: 403, body: "origin not allowed" };
    }
    await deps.connections.add(event.requestContext.connectionId, { principal, connectedAt: deps.now() });
    deps.logger.info("live client connected", { connectionId: event.requestContext.connectionId, principal });
    return { statusCode: 200 };
  };
}

export const handler = createConnectHandler(awsLiveDeps);
