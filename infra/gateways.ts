/**
 * Throttling of the two public endpoints, applied to every route through the API Gateway stage's
 * default route settings (requests over the limits get 429 before any function runs). The HTTP
 * API carries the dashboard, Slack's button clicks and the event intake, whose batches a log
 * shipper may post in bursts; the WebSocket API carries one connection per open dashboard.
 */

export interface StageThrottling {
  /** Requests per second, sustained. */
  throttlingRateLimit: number;
  /** Requests accepted at once above the rate. */
  throttlingBurstLimit: number;
}

export const GATEWAY_THROTTLING: Readonly<Record<"http" | "websocket", StageThrottling>> = {
  http: { throttlingRateLimit: 50, throttlingBurstLimit: 100 },
  websocket: { throttlingRateLimit: 10, throttlingBurstLimit: 20 },
};

/**
 * A `transform.stage` for an SST gateway: its default route settings throttle every route. SST
 * types a transform as returning `undefined` (it edits the arguments in place).
 */
export function throttledStage(kind: keyof typeof GATEWAY_THROTTLING) {
  return (args: { defaultRouteSettings?: unknown }): undefined => {
    const existing = (args.defaultRouteSettings ?? {}) as Record<string, unknown>;
    args.defaultRouteSettings = { ...existing, ...GATEWAY_THROTTLING[kind] };
    return undefined;
  };
}
