import { dashboardSecurityHeaders, headersInjection } from "../infra/web";
import { httpApi, realtimeApi } from "./gateways";

// The dashboard: web/ built by Vite with the API and WebSocket URLs of this stage, served by
// CloudFront with the same strict headers `riposte serve` sends.
export const dashboard = new sst.aws.StaticSite("Dashboard", {
  path: "web",
  build: { command: "npx vite build --logLevel warn", output: "dist" },
  environment: { VITE_RIPOSTE_API_URL: httpApi.url, VITE_RIPOSTE_WS_URL: realtimeApi.url },
  // SST writes the env typings here rather than into web/src.
  vite: { types: "../.sst/riposte-web-env.d.ts" },
  edge: {
    viewerResponse: {
      injection: $util
        .all([httpApi.url, realtimeApi.url])
        .apply(([api, live]) => headersInjection(dashboardSecurityHeaders(api, live))),
    },
  },
});
