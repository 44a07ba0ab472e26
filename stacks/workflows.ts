import { CATEGORIES, type Category } from "../core/model/catalog";
import { perTask, TASK_NAMES } from "../core/model/tasks";
import { workflowRoleAccess } from "../infra/access";
import { workflowProblemQueries } from "../infra/alarms";
import { roleName, workflowLogicalName } from "../infra/names";
import { policyDocument, serviceTrustPolicy } from "../infra/policy";
import { deployedDefinition, deployedStateMachineName } from "../infra/workflows";
import { config } from "./config";
import { taskFunctions } from "./functions";
import { alerts } from "./notify";

// One Standard state machine per category, deployed from workflows/' ASL with the task function
// ARNs substituted (Express cannot wait for an approval's task token). Logged and traced; an
// alarm tells the alerts topic about executions that fail, time out or are aborted.

// State machines become linkable (`Resource.<Category>Workflow.arn`) with data only: starting
// them is granted explicitly to the functions that do.
sst.Linkable.wrap(aws.sfn.StateMachine, (machine) => ({ properties: { arn: machine.arn, name: machine.name } }));

const account = aws.getCallerIdentityOutput().accountId;
const region = aws.getRegionOutput().region;
// Every task's function ARN, by task ($util.all on a record forgets its keys: read them back by task).
const taskArns = $util.all(perTask((task) => taskFunctions[task].arn)).apply((arns) => perTask((task) => arns[task]));

const role = new aws.iam.Role("WorkflowsRole", {
  name: region.apply((r) => roleName(config.protection.toolRolePrefix, $app.stage, r, "Workflows")),
  assumeRolePolicy: account.apply((id) => JSON.stringify(serviceTrustPolicy("states.amazonaws.com", id))),
});
const rolePolicy = new aws.iam.RolePolicy("WorkflowsPolicy", {
  role: role.id,
  policy: taskArns.apply((arns) =>
    JSON.stringify(
      policyDocument(workflowRoleAccess(), (ref) =>
        ref === "taskFunctions" ? TASK_NAMES.map((task) => arns[task]) : undefined,
      ),
    ),
  ),
});

function stateMachine(category: Category) {
  const logicalName = workflowLogicalName(category);
  const name = deployedStateMachineName($app.stage, category);
  const logs = new aws.cloudwatch.LogGroup(`${logicalName}Logs`, {
    name: `/aws/vendedlogs/states/${name}`,
    retentionInDays: config.aws.logRetentionDays,
  });
  const machine = new aws.sfn.StateMachine(
    logicalName,
    {
      name,
      type: "STANDARD",
      roleArn: role.arn,
      definition: taskArns.apply((arns) => JSON.stringify(deployedDefinition(category, arns))),
      // Transitions without payloads: incident data stays in the store and the execution history.
      loggingConfiguration: { level: "ALL", includeExecutionData: false, logDestination: $interpolate`${logs.arn}:*` },
      tracingConfiguration: { enabled: true },
    },
    { dependsOn: [rolePolicy] },
  );
  new aws.cloudwatch.MetricAlarm(`${logicalName}Alarm`, {
    alarmDescription: `Riposte ${$app.stage}: ${category} workflow executions failed, timed out or were aborted`,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    threshold: 1,
    evaluationPeriods: 1,
    treatMissingData: "notBreaching",
    metricQueries: workflowProblemQueries(machine.arn),
    alarmActions: [alerts.arn],
  });
  return machine;
}

export const stateMachines: Record<Category, aws.sfn.StateMachine> = Object.fromEntries(
  CATEGORIES.map((category) => [category, stateMachine(category)]),
) as Record<Category, aws.sfn.StateMachine>;
