import type { RemediationActionId } from "../model/actions.js";
import { getPlanner, PLANNERS } from "./planners.js";

/**
 * The IAM policy the remediation function's role needs, generated from the actions' declared
 * permissions: exactly those actions, no wildcard actions. Resources are `*` because targets
 * (groups, buckets, users, trails) are only known per incident.
 */

export interface IamPolicyDocument {
  Version: "2012-10-17";
  Statement: {
    Sid: string;
    Effect: "Allow";
    Action: string[];
    Resource: "*";
    Condition?: Record<string, Record<string, string[]>>;
  }[];
}

/** The sorted, unique IAM actions the given remediation actions need. */
export function permissionsFor(actionIds: readonly string[]): string[] {
  const permissions = new Set<string>();
  for (const id of actionIds) for (const permission of getPlanner(id).permissions) permissions.add(permission);
  return [...permissions].sort();
}

/** The services the given actions pass a role to (iam:PassRole, conditioned on `iam:PassedToService`), sorted. */
export function passRoleServicesFor(actionIds: readonly string[]): string[] {
  return [...new Set(actionIds.flatMap((id) => getPlanner(id).passesRoleTo ?? []))].sort();
}

/** The condition that limits iam:PassRole to `services`. */
export const passedTo = (services: readonly string[]) => ({
  StringEquals: { "iam:PassedToService": [...services] },
});

/** An IAM policy document allowing exactly the declared permissions of `actionIds` (all by default). */
export function policyFor(
  actionIds: readonly string[] = Object.keys(PLANNERS) as RemediationActionId[],
): IamPolicyDocument {
  const actions = permissionsFor(actionIds);
  const services = passRoleServicesFor(actionIds);
  if (actions.some((action) => action.includes("*"))) throw new Error("remediation permissions must not use wildcards");
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "RiposteRemediation", Effect: "Allow", Action: actions, Resource: "*" },
      ...(services.length > 0
        ? [
            {
              Sid: "RiposteRemediationPassRole",
              Effect: "Allow" as const,
              Action: ["iam:PassRole"],
              Resource: "*" as const,
              Condition: passedTo(services),
            },
          ]
        : []),
    ],
  };
}
