/** The API Gateway WebSocket event fields the handlers read ($connect, $disconnect). */
export interface WebSocketEvent {
  requestContext: { connectionId: string; routeKey?: string; eventType?: string };
  headers?: Record<string, string | undefined> | null;
  queryStringParameters?: Record<string, string | undefined> | null;
}

export interface WebSocketResult {
  statusCode: number;
  body?: string;
}

/** WebSocket APIs keep header names as the client sent them; read them in lower case. */
export function lowerCaseHeaders(headers: WebSocketEvent["headers"]): Record<string, string | undefined> {
  const lower: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {})) lower[name.toLowerCase()] = value;
  return lower;
}
