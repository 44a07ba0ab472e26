import { perTask } from "../core/model/tasks";
import { toolIdentityArns } from "../infra/access";
import { FUNCTION_SPECS } from "../infra/functions";
import { stateMachineArns } from "../infra/workflows";
import { config } from "./config";
import { functionArgs, type Links, type ResourceArns } from "./lib/function";
import { alertsKey, noticesTopicArn } from "./notify";
import { dashboardToken, dashboardUsers, intakeToken, slackBotToken, slackSigningSecret } from "./secrets";
import { settings } from "./settings";
import { incidents, table } from "./storage";

// The links and resource ARNs the deployed functions are given, and the workflow's task functions.

export const links: Links = {
  Settings: settings,
  Incidents: incidents,
  SlackBotToken: slackBotToken,
  SlackSigningSecret: slackSigningSecret,
  DashboardToken: dashboardToken,
  DashboardUsers: dashboardUsers,
  IntakeToken: intakeToken,
};

// Org-wide mode: the role remediation assumes in member accounts (same name in each).
const memberRole = config.aws.organization?.memberRole;
const partition = aws.getPartitionOutput().partition;
const region = aws.getRegionOutput().region;
const account = aws.getCallerIdentityOutput().accountId;

export const storeArns: ResourceArns = {
  table: [table.arn],
  tableIndexes: [$interpolate`${table.arn}/index/*`],
  tableStream: [table.nodes.table.streamArn],
  alertsTopic: [noticesTopicArn],
  ...(alertsKey ? { alertsKey: [alertsKey.arn] } : {}),
  // Named, not read from the state machines: those depend on the task functions' ARNs.
  stateMachines: $util
    .all([partition, region, account])
    .apply(([p, r, a]) => stateMachineArns({ partition: p, region: r, account: a, stage: $app.stage })),
  toolIdentities: partition.apply((p) => toolIdentityArns(p, config.protection.toolRolePrefix)),
  ...(memberRole ? { memberRoles: [$interpolate`arn:${partition}:iam::*:role/${memberRole.name}`] } : {}),
};

// One function per task of core/model/tasks.ts, as infra/functions.ts declares it (handler
// functions/<task>.ts, size, time, access); the workflows reference these values.
export const taskFunctions = perTask(
  (task) => new sst.aws.Function(FUNCTION_SPECS[task].logicalName, functionArgs(task, { links, arns: storeArns })),
);
