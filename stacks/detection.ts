import { rulesRoleAccess } from "../infra/access";
import { candidatesAgeAlarm } from "../infra/alarms";
import { roleName, stageName } from "../infra/names";
import { organizationBusPolicy } from "../infra/organization";
import { policyDocument, serviceTrustPolicy } from "../infra/policy";
import { QUEUE_NOT_EMPTY_ALARM, QUEUES } from "../infra/queues";
import {
  type DeployedRule,
  deployedRules,
  intakeOnlyDetections,
  ruleArnPatterns,
  ruleName,
  rulesQueuePolicy,
  TARGET_RETRY_POLICY,
} from "../infra/rules";
import { CORRELATE_BATCHING_WINDOW_SECONDS } from "../infra/throughput";
import { config, deployment } from "./config";
import { links, storeArns } from "./functions";
import { functionArgs } from "./lib/function";
import { alerts } from "./notify";
import { candidates, correlateQueue, deadLetters } from "./queue";
import { stateMachines } from "./workflows";

// Detection on AWS: one EventBridge rule per enabled detection, from the catalog's patterns (loop
// prevention inside each), and one per user's rule of rules.dir (validated when stacks/config.ts
// loads; a bad rule file stops the deploy naming file, field and problem). Stateless rules start their category's workflow with the incident
// input; stateful ones queue their candidate events for the correlate function, which keeps the
// state in DynamoDB and starts workflows named after the incident. Org-wide mode adds a central
// bus that member accounts forward their events to, with the same rules on it.

// Rules select AWS sources only (anyone with events:PutEvents can forge any other source): the
// detections that read only Riposte's own log records see what is posted to the API intake.
export const rules = deployedRules(config, deployment.rules);
export const intakeOnly = intakeOnlyDetections(config);
const account = aws.getCallerIdentityOutput().accountId;
const partition = aws.getPartitionOutput().partition;
const region = aws.getRegionOutput().region;
const machines = Object.values(stateMachines);

const rulesRole = new aws.iam.Role("RulesRole", {
  name: region.apply((r) => roleName(config.protection.toolRolePrefix, $app.stage, r, "Rules")),
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
const undelivered = new aws.sqs.Queue(QUEUES.undelivered.logicalName, {
  messageRetentionSeconds: QUEUES.undelivered.messageRetentionSeconds,
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

// Only the stage's detection rules may queue events, or report undelivered ones: matched by their
// name prefix (a list of every rule's ARN nearly filled SQS's 8 KB policy limit in org mode).
const rulePatterns = $util
  .all([partition, region, account, organizationBus?.name])
  .apply(([p, r, a, busName]) =>
    ruleArnPatterns({ partition: p, region: r, account: a, stage: $app.stage, organizationBusName: busName }),
  );
function rulesOnlyPolicy(name: string, queue: aws.sqs.Queue) {
  return new aws.sqs.QueuePolicy(name, {
    queueUrl: queue.url,
    policy: $util
      .all([queue.arn, rulePatterns])
      .apply(([arn, patterns]) => JSON.stringify(rulesQueuePolicy(arn, patterns))),
  });
}
const candidatesPolicy = rulesOnlyPolicy("CandidatesPolicy", candidates);
const undeliveredPolicy = rulesOnlyPolicy("UndeliveredEventsPolicy", undelivered);

function deployRule(rule: DeployedRule, bus?: aws.cloudwatch.EventBus) {
  const suffix = bus ? "Organization" : "";
  const eventRule = new aws.cloudwatch.EventRule(`${rule.logicalName}${suffix}Rule`, {
    name: ruleName($app.stage, rule.id),
    description: `Riposte ${rule.detections.join(", ")} (${rule.target.kind === "correlate" ? "queued for correlation" : "starts the workflow"})`,
    eventPattern: rule.pattern,
    // Read-only calls (Get/List/Describe) reach only rules in this state.
    state: rule.readOnlyEvents ? "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" : "ENABLED",
    ...(bus ? { eventBusName: bus.name } : {}),
  });
  const delivery = {
    rule: eventRule.name,
    ...(bus ? { eventBusName: bus.name } : {}),
    retryPolicy: { ...TARGET_RETRY_POLICY },
    deadLetterConfig: { arn: undelivered.arn },
  };
  // A target is created only once the queues it sends to (its own, the dead letters) admit it.
  if (rule.target.kind === "workflow") {
    new aws.cloudwatch.EventTarget(
      `${rule.logicalName}${suffix}Target`,
      {
        ...delivery,
        arn: stateMachines[rule.target.category].arn,
        roleArn: rulesRole.arn,
        inputTransformer: { inputTemplate: rule.target.inputTemplate },
      },
      { dependsOn: [undeliveredPolicy] },
    );
  } else {
    new aws.cloudwatch.EventTarget(
      `${rule.logicalName}${suffix}Target`,
      { ...delivery, arn: candidates.arn },
      { dependsOn: [candidatesPolicy, undeliveredPolicy] },
    );
  }
  return eventRule;
}

for (const rule of rules) deployRule(rule);
if (organizationBus) for (const rule of rules) deployRule(rule, organizationBus);

export const correlateFunction = new sst.aws.Function(
  "Correlate",
  functionArgs("correlate", {
    links: { ...links, CorrelateQueue: correlateQueue, Workflows: machines },
    arns: { ...storeArns, stateMachines: machines.map((machine) => machine.arn), correlateQueue: [candidates.arn] },
  }),
);

// Batches of up to batchSize events, gathered for at most the batching window, across at most
// maxConcurrency functions (its default is derived from a measured rate: infra/throughput.ts).
new aws.lambda.EventSourceMapping("CorrelateCandidates", {
  eventSourceArn: candidates.arn,
  functionName: correlateFunction.arn,
  batchSize: config.aws.correlate.batchSize,
  maximumBatchingWindowInSeconds: CORRELATE_BATCHING_WINDOW_SECONDS,
  functionResponseTypes: ["ReportBatchItemFailures"],
  scalingConfig: { maximumConcurrency: config.aws.correlate.maxConcurrency },
});

// Correlation falling behind (too few functions for the event rate, or a batch failing over and over).
const candidatesAge = candidatesAgeAlarm($app.stage, "");
new aws.cloudwatch.MetricAlarm(candidatesAge.logicalName, {
  alarmDescription: candidatesAge.description,
  ...candidatesAge.metric,
  dimensions: { QueueName: candidates.name },
  alarmActions: [alerts.arn],
});

for (const [spec, queue] of [
  [QUEUES.correlateDeadLetters, deadLetters],
  [QUEUES.undelivered, undelivered],
] as const) {
  if (!spec.alarm) continue;
  new aws.cloudwatch.MetricAlarm(spec.alarm.logicalName, {
    alarmDescription: `Riposte ${$app.stage}: ${spec.alarm.what}`,
    ...QUEUE_NOT_EMPTY_ALARM,
    dimensions: { QueueName: queue.name },
    alarmActions: [alerts.arn],
  });
}
