import { INCIDENT_STREAM_FILTER } from "../infra/table";
import { config } from "./config";
import { links, storeArns } from "./functions";
import { httpApi, realtime, realtimeApi } from "./gateways";
import { functionArgs } from "./lib/function";
import { schedule } from "./lib/schedule";
import { candidates, correlateQueue, slackFollowUps, slackFollowUpsLink } from "./queue";
import { table } from "./storage";
import { dashboard } from "./web";
import { stateMachines } from "./workflows";

// The dashboard's back end: the REST API and the Slack interactivity endpoint on the HTTP API,
// and the live push on the WebSocket API ($connect with the token check, $disconnect, a
// broadcast fed by the table's stream, a scheduled heartbeat).

const executions = Object.values(stateMachines).map(
  (machine) => $interpolate`${machine.arn.apply((arn) => arn.replace(":stateMachine:", ":execution:"))}:*`,
);
const apiLinks = { ...links, CorrelateQueue: correlateQueue, Realtime: realtime };
const apiArns = { ...storeArns, executions, correlateQueue: [candidates.arn] };

export const apiFunction = new sst.aws.Function("Api", functionArgs("api", { links: apiLinks, arns: apiArns }));
export const slackFunction = new sst.aws.Function(
  "SlackInteractions",
  functionArgs("slack", {
    links: { ...apiLinks, SlackFollowUps: slackFollowUpsLink },
    arns: { ...apiArns, slackFollowUps: [slackFollowUps.arn] },
  }),
);
export const slackFollowUpFunction = new sst.aws.Function(
  "SlackFollowUp",
  functionArgs("slackFollowUp", { links, arns: { ...storeArns, slackFollowUps: [slackFollowUps.arn] } }),
);
new aws.lambda.EventSourceMapping("SlackFollowUpsSource", {
  eventSourceArn: slackFollowUps.arn,
  functionName: slackFollowUpFunction.arn,
  batchSize: 10,
  functionResponseTypes: ["ReportBatchItemFailures"],
});
httpApi.route("ANY /api/{proxy+}", apiFunction.arn);
httpApi.route("POST /slack/interactions", slackFunction.arn);

// Browsers may open the live socket from the dashboard's origin and the configured ones.
const allowedOrigins = dashboard.url.apply((url) =>
  [...new Set([...config.api.allowedOrigins, ...(url ? [new URL(url).origin] : [])])].join(","),
);
const live = {
  links: apiLinks,
  arns: {
    ...storeArns,
    realtimeConnections: [$interpolate`${realtimeApi.nodes.api.executionArn}/*/POST/@connections/*`],
  },
  environment: { RIPOSTE_ALLOWED_ORIGINS: allowedOrigins },
};

export const wsConnect = new sst.aws.Function("WsConnect", functionArgs("wsConnect", live));
export const wsDisconnect = new sst.aws.Function("WsDisconnect", functionArgs("wsDisconnect", live));
export const wsBroadcast = new sst.aws.Function("WsBroadcast", functionArgs("wsBroadcast", live));
export const wsHeartbeat = new sst.aws.Function("WsHeartbeat", functionArgs("wsHeartbeat", live));
realtimeApi.route("$connect", wsConnect.arn);
realtimeApi.route("$disconnect", wsDisconnect.arn);

// Only incident items become live messages: audit, approval and correlation writes never invoke it.
new aws.lambda.EventSourceMapping("WsBroadcastStream", {
  eventSourceArn: table.nodes.table.streamArn,
  functionName: wsBroadcast.arn,
  startingPosition: "LATEST",
  batchSize: 100,
  maximumBatchingWindowInSeconds: 1,
  // A failing batch is retried a few times, then skipped: dashboards resync over REST.
  maximumRetryAttempts: 3,
  filterCriteria: { filters: [{ pattern: JSON.stringify(INCIDENT_STREAM_FILTER) }] },
});

// Three heartbeats a minute (dashboards drop a socket silent for 45 s); see functions/scheduled/heartbeat.ts.
schedule("WsHeartbeatSchedule", wsHeartbeat, "rate(1 minute)");
