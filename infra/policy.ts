import type { AccessCondition, AccessStatement, ResourceRef } from "./access.js";

/**
 * IAM policy documents from access statements: each reference resolved to its ARNs. Used for the
 * service roles the stacks create themselves (workflows, rules) and by the tests that check every
 * generated policy; function policies go through SST's `permissions`, from the same statements.
 */

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Action: string[];
  Resource: string[];
  Condition?: AccessCondition;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/** An IAM action as written in a policy: `service:Operation`, never a wildcard. */
export const IAM_ACTION = /^[a-z0-9-]+:[A-Za-z0-9]+$/;

/** Resolve each statement's references; throws naming a reference with no ARN or a wildcard action. */
export function policyDocument(
  statements: readonly AccessStatement[],
  arnsOf: (ref: Exclude<ResourceRef, "*">) => readonly string[] | undefined,
): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: statements.map((statement) => {
      for (const action of statement.actions) {
        if (!IAM_ACTION.test(action)) throw new Error(`${statement.sid}: "${action}" is not an exact IAM action`);
      }
      const resources = statement.resources.flatMap((ref) => {
        if (ref === "*") return ["*"];
        const arns = arnsOf(ref);
        if (!arns || arns.length === 0) throw new Error(`${statement.sid}: no ARN for the ${ref} resource`);
        return [...arns];
      });
      return {
        Sid: statement.sid,
        Effect: statement.effect ?? "Allow",
        Action: [...statement.actions],
        Resource: resources,
        ...(statement.condition ? { Condition: statement.condition } : {}),
      };
    }),
  };
}

/** The trust policy letting an AWS service assume a role, for this account only (confused deputy). */
export function serviceTrustPolicy(service: string, accountId: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
      },
    ],
  };
}
