import { toolIdentityArns } from "../infra/access";
import { stateMachineArns } from "../infra/workflows";
import { config } from "./config";
import { functionArgs, type Links, type ResourceArns } from "./lib/function";
import { alertsKey, noticesTopicArn } from "./notify";
import { dashboardToken, dashboardUsers, intakeToken, slackBotToken, slackSigningSecret } from "./secrets";
import { settings } from "./settings";
import { incidents, table } from "./storage";

// The workflow's task functions, one per state kind (their handlers are functions/<task>.ts).
// The workflows reference these values; what each may do is generated in infra/access.ts.

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

const task = { links, arns: storeArns };

export const openFunction = new sst.aws.Function("Open", functionArgs("open", task));
export const enrichFunction = new sst.aws.Function("Enrich", functionArgs("enrich", task));
export const scoreFunction = new sst.aws.Function("Score", functionArgs("score", task));
export const notifyFunction = new sst.aws.Function("Notify", functionArgs("notify", task));
export const approvalFunction = new sst.aws.Function("Approval", functionArgs("approval", task));
export const remediateFunction = new sst.aws.Function("Remediate", functionArgs("remediate", task));
export const verifyFunction = new sst.aws.Function("Verify", functionArgs("verify", task));
export const recordFunction = new sst.aws.Function("Record", functionArgs("record", task));
