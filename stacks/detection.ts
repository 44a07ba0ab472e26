import { rulesRoleAccess } from "../core/deploy/access";
import { roleName, stageName } from "../core/deploy/names";
import { organizationBusPolicy } from "../core/deploy/organization";
import { policyDocument, serviceTrustPolicy } from "../core/deploy/policy";
import { type DeployedRule, deployedRules } from "../core/deploy/rules";
import { config } from "./config";
import { links, storeArns } from "./functions";
import { functionArgs } from "./lib/function";
import { alerts } from "./notify";
import { candidates, correlateQueue, deadLetters } from "./queue";
import { stateMachines } from "./workflows";

// Detection on AWS: one EventBridge rule per enabled detection, from the catalog's patterns (loop
// prevention inside each). Stateless rules start their category's workflow with the incident
// input; stateful ones queue their candidate events for the correlate function, which keeps the
// state in DynamoDB and starts workflows named after the incident. Org-wide mode adds a central
// bus that member accounts forward their events to, with the same rules on it.

export const rules = deployedRules(config);
const account = aws.getCallerIdentityOutput().accountId;
const machines = Object.values(stateMachines);

const rulesRole = new aws.iam.Role("RulesRole", {
  name: roleName(config.protection.toolRolePrefix, $app.stage, "Rules"),
  assumeRolePolicy: account.apply((id) => JSON.stringify(serviceTrustPolicy("events.amazonaws.com", id))),
});
new aws.iam.RolePolicy("RulesPolicy", {
  role: rulesRole.id,
  policy: $util
    .all(machines.map((machine) => machine.arn))
    .apply((arns) =>
      JSON.stringify(policyDocument(rulesRoleAccess(), (ref) => (ref === "stateMachines" ? arns : undefined))),
    ),
});

// Events EventBridge could not deliver (after its retries) are kept here, and alarmed on.
const undelivered = new aws.sqs.Queue("UndeliveredEvents", {
  messageRetentionSeconds: 14 * 24 * 3600,
  sqsManagedSseEnabled: true,
});

export const organizationBus = config.aws.organization
  ? new aws.cloudwatch.EventBus("OrganizationBus", { name: stageName($app.stage, "riposte-organization", 256) })
  : undefined;
if (organizationBus && config.aws.organization) {
  const organizationId = config.aws.organization.id;
  new aws.cloudwatch.EventBusPolicy("OrganizationBusPolicy", {
    eventBusName: organizationBus.name,
    policy: organizationBus.arn.apply((arn) => JSON.stringify(organizationBusPolicy(arn, organizationId))),
  });
}

function deployRule(rule: DeployedRule, bus?: aws.cloudwatch.EventBus) {
  const suffix = bus ? "Organization" : "";
  const eventRule = new aws.cloudwatch.EventRule(`${rule.logicalName}${suffix}Rule`, {
    name: stageName($app.stage, `riposte-${rule.detection}`, 64),
    description: `Riposte ${rule.detection} (${rule.stateful ? "candidates for correlation" : "starts the workflow"})`,
    eventPattern: rule.pattern,
    // Read-only calls (Get/List/Describe) reach only rules in this state.
    state: rule.readOnlyEvents ? "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" : "ENABLED",
    ...(bus ? { eventBusName: bus.name } : {}),
  });
  const delivery = {
    rule: eventRule.name,
    ...(bus ? { eventBusName: bus.name } : {}),
    retryPolicy: { maximumEventAgeInSeconds: 24 * 3600, maximumRetryAttempts: 185 },
    deadLetterConfig: { arn: undelivered.arn },
  };
  if (rule.target.kind === "workflow") {
    new aws.cloudwatch.EventTarget(`${rule.logicalName}${suffix}Target`, {
      ...delivery,
      arn: stateMachines[rule.target.category].arn,
      roleArn: rulesRole.arn,
      inputTransformer: { inputTemplate: rule.target.inputTemplate },
    });
  } else {
    new aws.cloudwatch.EventTarget(`${rule.logicalName}${suffix}Target`, { ...delivery, arn: candidates.arn });
  }
  return eventRule;
}

const deployed = [
  ...rules.map((rule) => deployRule(rule)),
  ...(organizationBus ? rules.map((rule) => deployRule(rule, organizationBus)) : []),
];

// Only these rules may queue events, or report undelivered ones.
const ruleArns = $util.all(deployed.map((rule) => rule.arn));
for (const [name, queue] of [
  ["CandidatesPolicy", candidates],
  ["UndeliveredEventsPolicy", undelivered],
] as const) {
  new aws.sqs.QueuePolicy(name, {
    queueUrl: queue.url,
    policy: $util.all([queue.arn, ruleArns]).apply(([arn, arns]) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "RiposteRules",
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: arn,
            Condition: { ArnEquals: { "aws:SourceArn": arns } },
          },
        ],
      }),
    ),
  });
}

export const correlateFunction = new sst.aws.Function(
  "Correlate",
  functionArgs("correlate", {
    links: { ...links, CorrelateQueue: correlateQueue, Workflows: machines },
    arns: { ...storeArns, stateMachines: machines.map((machine) => machine.arn), correlateQueue: [candidates.arn] },
  }),
);

new aws.lambda.EventSourceMapping("CorrelateCandidates", {
  eventSourceArn: candidates.arn,
  functionName: correlateFunction.arn,
  batchSize: config.aws.correlate.batchSize,
  maximumBatchingWindowInSeconds: 5,
  functionResponseTypes: ["ReportBatchItemFailures"],
  scalingConfig: { maximumConcurrency: config.aws.correlate.maxConcurrency },
});

for (const [name, queue, what] of [
  ["CorrelateDeadLettersAlarm", deadLetters, "events, findings or Slack follow-ups that kept failing"],
  ["UndeliveredEventsAlarm", undelivered, "events EventBridge could not deliver to a workflow or the queue"],
] as const) {
  new aws.cloudwatch.MetricAlarm(name, {
    alarmDescription: `Riposte ${$app.stage}: ${what}`,
    namespace: "AWS/SQS",
    metricName: "ApproximateNumberOfMessagesVisible",
    dimensions: { QueueName: queue.name },
    statistic: "Maximum",
    period: 300,
    evaluationPeriods: 1,
    threshold: 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    treatMissingData: "notBreaching",
    alarmActions: [alerts.arn],
  });
}
