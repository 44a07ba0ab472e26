import type { DeploymentPlan, PlannedRole } from "../../../infra/plan.js";
import type { PolicyDocument } from "../../../infra/policy.js";

/** `riposte deploy plan --format table`: the plan for reading; the ASL is in the JSON format. */

function section(title: string, lines: string[]): string[] {
  return ["", `${title}`, ...lines];
}

function statementLines(policy: PolicyDocument, indent: string): string[] {
  return policy.Statement.flatMap((statement) => [
    `${indent}${statement.Effect} ${statement.Sid}: ${statement.Action.join(", ")}`,
    `${indent}  on ${statement.Resource.join(", ")}`,
    ...(statement.Condition ? [`${indent}  when ${JSON.stringify(statement.Condition)}`] : []),
  ]);
}

function roleLines(role: PlannedRole): string[] {
  return [`  ${role.name} (assumed by ${role.trustedService})`, ...statementLines(role.policy, "    ")];
}

export function planTable(plan: DeploymentPlan): string {
  const lines = [
    `Riposte deploy plan: stage ${plan.stage}${plan.protectedStage ? " (protected)" : ""}, ${plan.region} (${plan.partition}), account ${plan.account}`,
    `Configuration: ${plan.configuration}; remediation mode ${plan.remediationMode}`,
    ...section(
      `Functions (${plan.functions.length}), each with its own role`,
      plan.functions.flatMap((fn) => [
        `  ${fn.logicalName}: ${fn.description} (${fn.handler}, ${fn.memoryMb} MB, ${fn.timeoutSeconds} s; links ${fn.links.join(", ")})`,
        `    role ${fn.role.name}`,
        ...statementLines(fn.role.policy, "      "),
      ]),
    ),
    ...section(`Service roles (${plan.serviceRoles.length})`, plan.serviceRoles.flatMap(roleLines)),
    ...section(
      `EventBridge rules (${plan.rules.length})`,
      plan.rules.flatMap((rule) => [
        `  ${rule.name} on the ${rule.bus} bus, ${rule.state}`,
        rule.target.kind === "workflow"
          ? `    → starts ${rule.target.arn} as ${rule.target.roleName}`
          : `    → queues candidates on ${rule.target.queue}`,
        `    pattern ${JSON.stringify(rule.pattern)}`,
      ]),
    ),
    ...(plan.intakeOnlyDetections.length > 0
      ? section("Detections served by the API intake only (no rule)", [`  ${plan.intakeOnlyDetections.join(", ")}`])
      : []),
    ...section(
      `State machines (${plan.stateMachines.length}, Standard; ASL with --format json)`,
      plan.stateMachines.map((machine) => `  ${machine.arn} as ${machine.roleName}, logs ${machine.logGroup}`),
    ),
    ...section(
      `Queues (${plan.queues.length}, SQS-managed encryption)`,
      plan.queues.flatMap((queue) => [
        `  ${queue.logicalName} (${queue.region}): ${queue.purpose}; kept ${queue.messageRetentionSeconds / 86400} days${queue.redrive ? `, to ${queue.redrive.to} after ${queue.redrive.maxReceiveCount} receives` : ""}`,
        ...(queue.policy ? [`    policy ${JSON.stringify(queue.policy)}`] : []),
      ]),
    ),
    ...section(
      `Alarms (${plan.alarms.length}), to ${plan.alarms[0]?.actions.join(", ") ?? "nothing"}`,
      plan.alarms.map((alarm) => `  ${alarm.logicalName}: ${alarm.description}`),
    ),
    ...section(
      "API throttling",
      Object.entries(plan.gateways).map(
        ([kind, limits]) => `  ${kind}: ${limits.throttlingRateLimit}/s, bursts of ${limits.throttlingBurstLimit}`,
      ),
    ),
    ...(plan.regionForwarding.length > 0
      ? section(
          "Region forwarding",
          plan.regionForwarding.map((f) => `  ${f.region}: ${f.ruleName} (${f.state}) → ${f.target}`),
        )
      : []),
    ...(plan.organization
      ? section("Organization", [
          `  bus ${plan.organization.busName}; policy ${JSON.stringify(plan.organization.busPolicy)}`,
          `  member forwarding rule (${plan.organization.memberForwarding.state}) ${JSON.stringify(plan.organization.memberForwarding.pattern)}`,
          ...(plan.organization.memberRole
            ? [
                `  member role ${plan.organization.memberRole.name}, trust ${JSON.stringify(plan.organization.memberRole.trustPolicy)}`,
                ...statementLines(plan.organization.memberRole.policy, "    "),
              ]
            : []),
        ])
      : []),
    ...(plan.problems.length > 0
      ? section(
          "The deploy would stop",
          plan.problems.map((p) => `  ${p}`),
        )
      : []),
  ];
  return `${lines.join("\n")}\n`;
}
