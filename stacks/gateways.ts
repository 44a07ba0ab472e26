import { retentionName } from "../infra/functions";
import { throttledStage } from "../infra/gateways";
import { config } from "./config";

// The dashboard's two endpoints. Their routes are added where their functions are defined
// (stacks/realtime.ts); the site is built with their URLs. CORS is the API's own business
// (exact origins, never a wildcard), so API Gateway adds no CORS of its own. Every route is
// throttled (infra/gateways.ts): both face the internet.
const retention = retentionName(config.aws.logRetentionDays);

export const httpApi = new sst.aws.ApiGatewayV2("Api", {
  cors: false,
  accessLog: { retention },
  transform: { stage: throttledStage("http") },
});
export const realtimeApi = new sst.aws.ApiGatewayWebSocket("RealtimeApi", {
  accessLog: { retention },
  transform: { stage: throttledStage("websocket") },
});

// What the WebSocket functions read (`Resource.Realtime`); posting rights are granted per function.
export const realtime = new sst.Linkable("Realtime", {
  properties: { url: realtimeApi.url, managementEndpoint: realtimeApi.managementEndpoint },
});
