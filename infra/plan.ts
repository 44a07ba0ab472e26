import type { RiposteConfig } from "../core/config/schema.js";
import { CATEGORIES, type Category } from "../core/model/catalog.js";
import { perTask } from "../core/model/tasks.js";
import { rulesRoleAccess, workflowRoleAccess } from "./access.js";
import { candidatesAgeAlarm, workflowProblemQueries } from "./alarms.js";
import { accessContextOf, type DeployConfig } from "./config.js";
import { accessFor, FUNCTION_SPECS, functionsDeployed } from "./functions.js";
import { GATEWAY_THROTTLING } from "./gateways.js";
import { roleName, stageName, workflowLogicalName } from "./names.js";
import {
  memberForwardingPattern,
  memberForwardingRolePolicy,
  memberForwardingRuleState,
  memberRolePolicy,
  memberRoleTrustedRoles,
  memberRoleTrustPolicy,
  organizationBusPolicy,
} from "./organization.js";
import {
  deployTime,
  functionArn,
  GENERATED_PLACEHOLDERS,
  type GeneratedNames,
  type PlanPlace,
  plannedResourceArns,
  type ResolvedArns,
} from "./plan-arns.js";
import { type PolicyDocument, policyDocument, serviceTrustPolicy } from "./policy.js";
import { FORWARDING_DEAD_LETTERS_RETENTION_SECONDS, QUEUE_NOT_EMPTY_ALARM, QUEUES } from "./queues.js";
import {
  defaultBusArn,
  forwardingDeadLetterPolicy,
  forwardingRule,
  globalEventsProblem,
  homeRegionWatchedProblem,
  regionForwardingRolePolicy,
  watchedRegions,
} from "./regions.js";
import {
  deployedRules,
  FORWARD_RULE_ID,
  intakeOnlyDetections,
  ruleArnPatterns,
  ruleName,
  rulesQueuePolicy,
  TARGET_RETRY_POLICY,
} from "./rules.js";
import { isProtectedStage } from "./stages.js";
import { deployedStateMachineName, plannedDefinition } from "./workflows.js";

/**
 * What `sst deploy` creates for a stage, for reviewers and auditors, computed by the functions the
 * stacks call (`stacks/*.ts`): each function's role and policy, the service roles, every rule with
 * its pattern and target, every state machine's ASL, the queues and alarms, the org and region
 * wiring. Values only known once deployed are `${Placeholders}` (plan-arns.ts).
 */

export interface PlannedRole {
  name: string;
  trustedService: string;
  /** Service roles the stacks create (function roles get SST's Lambda trust policy). */
  trustPolicy?: unknown;
  policy: PolicyDocument;
}

export interface PlannedFunction {
  logicalName: string;
  handler: string;
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  links: string[];
  role: PlannedRole;
}

export interface PlannedRule {
  name: string;
  detection: string;
  bus: string;
  state: string;
  pattern: unknown;
  target:
    | { kind: "workflow"; arn: string; roleName: string; inputTemplate: string }
    | { kind: "correlate"; queue: string };
  retryPolicy: typeof TARGET_RETRY_POLICY;
  deadLetterQueue: string;
}

export interface PlannedStateMachine {
  category: Category;
  name: string;
  arn: string;
  type: "STANDARD";
  roleName: string;
  logGroup: string;
  definition: unknown;
}

export interface PlannedQueue {
  logicalName: string;
  region: string;
  purpose: string;
  messageRetentionSeconds: number;
  visibilityTimeoutSeconds?: number;
  redrive?: { to: string; maxReceiveCount: number };
  policy?: unknown;
}

export interface PlannedAlarm {
  logicalName: string;
  description: string;
  metric: unknown;
  actions: string[];
}

export interface DeploymentPlan {
  stage: string;
  region: string;
  partition: string;
  account: string;
  configuration: string;
  protectedStage: boolean;
  remediationMode: string;
  /** Why `sst deploy` would stop, if it would. */
  problems: string[];
  functions: PlannedFunction[];
  serviceRoles: PlannedRole[];
  rules: PlannedRule[];
  intakeOnlyDetections: string[];
  /** The users' rules deployed (rules.dir), each shipped to the functions in the Settings link. */
  ownRules: string[];
  stateMachines: PlannedStateMachine[];
  queues: PlannedQueue[];
  alarms: PlannedAlarm[];
  gateways: typeof GATEWAY_THROTTLING;
  regionForwarding: { region: string; ruleName: string; state: string; pattern: unknown; target: string }[];
  organization?: {
    busName: string;
    busPolicy: unknown;
    memberForwarding: { pattern: unknown; state: string; rolePolicy: unknown };
    memberRole?: { name: string; policy: PolicyDocument; trustPolicy: unknown };
  };
}

const LAMBDA_SERVICE = "lambda.amazonaws.com";

/** A policy whose statements name one action or resource as a string, with lists instead (as IAM reads it). */
function listed(policy: {
  Version: "2012-10-17" | string;
  Statement: { Sid: string; Effect: string; Action: string | string[]; Resource: string | string[] }[];
}): PolicyDocument {
  const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);
  return {
    Version: "2012-10-17",
    Statement: policy.Statement.map((statement) => ({
      Sid: statement.Sid,
      Effect: statement.Effect === "Deny" ? "Deny" : "Allow",
      Action: list(statement.Action),
      Resource: list(statement.Resource),
    })),
  };
}

/** The policy of every deployed function's role, by function: what the IAM tests simulate. */
export function functionPolicies(
  config: RiposteConfig,
  place: PlanPlace,
  arns: ResolvedArns = plannedResourceArns(config, place),
) {
  const context = accessContextOf(config);
  return functionsDeployed(config.remediation.mode, { securityHubExport: config.securityHub.export }).map((fn) => ({
    fn,
    roleName: roleName(config.protection.toolRolePrefix, place.stage, place.region, FUNCTION_SPECS[fn].logicalName),
    policy: policyDocument(accessFor(fn, context), (ref) => arns[ref]),
  }));
}

/** The deployment `sst deploy --stage <place.stage>` makes of this configuration in `place.region`. */
export function deploymentPlan(
  deployment: DeployConfig,
  place: PlanPlace,
  names: GeneratedNames = GENERATED_PLACEHOLDERS,
): DeploymentPlan {
  const { config } = deployment;
  const { stage, region, partition, account } = place;
  const prefix = config.protection.toolRolePrefix;
  const role = (purpose: string) => roleName(prefix, stage, region, purpose);
  const arns = plannedResourceArns(config, place, names);
  const rules = deployedRules(config, deployment.rules);
  const alertsTopic = `arn:${partition}:sns:${region}:${account}:${names.alertsTopic}`;
  const queueArn = (name: string, where = region) => `arn:${partition}:sqs:${where}:${account}:${name}`;
  const organization = config.aws.organization;
  const busName = organization ? stageName(stage, "riposte-organization", 256) : undefined;
  const patterns = ruleArnPatterns({
    partition,
    region,
    account,
    stage,
    ...(busName ? { organizationBusName: busName } : {}),
  });

  const functions = functionPolicies(config, place, arns).map(({ fn, roleName: name, policy }) => {
    const spec = FUNCTION_SPECS[fn];
    return {
      logicalName: spec.logicalName,
      handler: spec.handler,
      description: spec.description,
      memoryMb: spec.memoryMb,
      timeoutSeconds: spec.timeoutSeconds,
      links: [...spec.links],
      role: { name, trustedService: LAMBDA_SERVICE, policy },
    };
  });

  const machineArn = (category: Category) =>
    `arn:${partition}:states:${region}:${account}:stateMachine:${deployedStateMachineName(stage, category)}`;
  const taskArns = perTask((task) => functionArn(place, names, task));

  const serviceRoles: PlannedRole[] = [
    {
      name: role("Workflows"),
      trustedService: "states.amazonaws.com",
      trustPolicy: serviceTrustPolicy("states.amazonaws.com", account),
      policy: policyDocument(workflowRoleAccess(), (ref) => arns[ref]),
    },
    {
      name: role("Rules"),
      trustedService: "events.amazonaws.com",
      trustPolicy: serviceTrustPolicy("events.amazonaws.com", account),
      policy: policyDocument(rulesRoleAccess(), (ref) => arns[ref]),
    },
  ];
  const regions = rules.length > 0 ? watchedRegions(config, region) : [];
  const homeBus = defaultBusArn(partition, region, account);
  if (regions.length > 0) {
    serviceRoles.push({
      name: role("RegionForwarding"),
      trustedService: "events.amazonaws.com",
      trustPolicy: serviceTrustPolicy("events.amazonaws.com", account),
      policy: listed(regionForwardingRolePolicy(homeBus)),
    });
  }

  const plannedRules: PlannedRule[] = (busName ? ["default", busName] : ["default"]).flatMap((bus) =>
    rules.map((rule) => ({
      name: ruleName(stage, rule.detection),
      detection: rule.detection,
      bus,
      state: rule.readOnlyEvents ? "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" : "ENABLED",
      pattern: JSON.parse(rule.pattern) as unknown,
      target:
        rule.target.kind === "workflow"
          ? {
              kind: "workflow" as const,
              arn: machineArn(rule.target.category),
              roleName: role("Rules"),
              inputTemplate: rule.target.inputTemplate,
            }
          : { kind: "correlate" as const, queue: QUEUES.candidates.logicalName },
      retryPolicy: TARGET_RETRY_POLICY,
      deadLetterQueue: QUEUES.undelivered.logicalName,
    })),
  );

  const stateMachines = CATEGORIES.map((category) => {
    const name = deployedStateMachineName(stage, category);
    return {
      category,
      name,
      arn: machineArn(category),
      type: "STANDARD" as const,
      roleName: role("Workflows"),
      logGroup: `/aws/vendedlogs/states/${name}`,
      definition: plannedDefinition(category, taskArns),
    };
  });

  const queues: PlannedQueue[] = Object.values(QUEUES).map((spec) => ({
    logicalName: spec.logicalName,
    region,
    purpose: spec.purpose,
    messageRetentionSeconds: spec.messageRetentionSeconds,
    ...(spec.visibilityTimeoutSeconds ? { visibilityTimeoutSeconds: spec.visibilityTimeoutSeconds } : {}),
    ...(spec.redrive
      ? { redrive: { to: QUEUES[spec.redrive.to].logicalName, maxReceiveCount: spec.redrive.maxReceiveCount } }
      : {}),
    ...(spec.rulesOnly ? { policy: rulesQueuePolicy(queueArn(deployTime(`${spec.logicalName}.name`)), patterns) } : {}),
  }));
  const forwardName = ruleName(stage, FORWARD_RULE_ID);
  for (const watched of regions) {
    const name = `Forward${watched.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase())}DeadLetters`;
    queues.push({
      logicalName: name,
      region: watched,
      purpose: `events the home bus refused from ${watched}`,
      messageRetentionSeconds: FORWARDING_DEAD_LETTERS_RETENTION_SECONDS,
      policy: forwardingDeadLetterPolicy(
        queueArn(deployTime(`${name}.name`), watched),
        `arn:${partition}:events:${watched}:${account}:rule/${forwardName}`,
      ),
    });
  }

  const alarms: PlannedAlarm[] = [
    ...stateMachines.map((machine) => ({
      logicalName: `${workflowLogicalName(machine.category)}Alarm`,
      description: `Riposte ${stage}: ${machine.category} workflow executions failed, timed out or were aborted`,
      metric: workflowProblemQueries(machine.arn),
      actions: [alertsTopic],
    })),
    { ...candidatesAgeAlarm(stage, deployTime(`${QUEUES.candidates.logicalName}.name`)), actions: [alertsTopic] },
    ...Object.values(QUEUES).flatMap((spec) =>
      spec.alarm
        ? [
            {
              logicalName: spec.alarm.logicalName,
              description: `Riposte ${stage}: ${spec.alarm.what}`,
              metric: { ...QUEUE_NOT_EMPTY_ALARM, dimensions: { QueueName: deployTime(`${spec.logicalName}.name`) } },
              actions: [alertsTopic],
            },
          ]
        : [],
    ),
  ];

  const forwarding = rules.length > 0 ? forwardingRule(rules) : undefined;
  const problems = [
    globalEventsProblem(config, { partition, homeRegion: region }, rules),
    ...(rules.length > 0 ? config.aws.watchRegions.map((watched) => homeRegionWatchedProblem(watched, region)) : []),
  ].filter((problem): problem is string => problem !== undefined);
  return {
    stage,
    region,
    partition,
    account,
    configuration: deployment.source,
    protectedStage: isProtectedStage(stage),
    remediationMode: config.remediation.mode,
    problems,
    functions,
    serviceRoles,
    rules: plannedRules,
    intakeOnlyDetections: intakeOnlyDetections(config),
    ownRules: (deployment.rules ?? []).map((rule) => rule.id),
    stateMachines,
    queues,
    alarms,
    gateways: GATEWAY_THROTTLING,
    regionForwarding: forwarding
      ? regions.map((watched) => ({
          region: watched,
          ruleName: forwardName,
          state: forwarding.state,
          pattern: JSON.parse(forwarding.pattern) as unknown,
          target: homeBus,
        }))
      : [],
    ...(organization && busName
      ? {
          organization: {
            busName,
            busPolicy: organizationBusPolicy(
              `arn:${partition}:events:${region}:${account}:event-bus/${busName}`,
              organization.id,
            ),
            memberForwarding: {
              pattern: memberForwardingPattern(rules),
              state: memberForwardingRuleState(rules),
              rolePolicy: memberForwardingRolePolicy(
                `arn:${partition}:events:${region}:${account}:event-bus/${busName}`,
              ),
            },
            ...(organization.memberRole
              ? {
                  memberRole: {
                    name: organization.memberRole.name,
                    policy: memberRolePolicy(accessContextOf(config).actions, {
                      partition,
                      toolRolePrefix: prefix,
                      protectionTag: config.protection.tag,
                    }),
                    trustPolicy: memberRoleTrustPolicy(
                      memberRoleTrustedRoles({ partition, account, region, stage, toolRolePrefix: prefix }),
                      organization.memberRole.externalId,
                    ),
                  },
                }
              : {}),
          },
        }
      : {}),
  };
}
