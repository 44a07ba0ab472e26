import type { AwsCall } from "../../model/incident.js";
import { type PolicyDocument, readPolicy, splitPublicStatements } from "../../risk/resource-policy.js";
import { awsCall, type LiveValue, liveValue } from "../aws/calls.js";
import { CannotPlan } from "../errors.js";
import type { ActionPlanner } from "../types.js";
import { type ResourcePolicyTarget, resolvePolicyTarget, targetLabel } from "./resource-policy-target.js";
import { policyText } from "./s3-policy.plan.js";

/**
 * `resource-policy-remove-public`: take the statements that let anyone in out of the resource
 * policy `resource-policy-public` saw set, keep the rest, and write it back — SNS
 * SetTopicAttributes, SQS SetQueueAttributes, ECR SetRepositoryPolicy, Secrets Manager
 * PutResourcePolicy, KMS PutKeyPolicy. Public is what the one risk model says
 * (`core/risk/resource-policy.ts`). When nothing would remain: ECR and Secrets Manager delete the
 * policy, SQS clears it, SNS gets the topic's default policy back (owner account only; a topic
 * always has a policy), and a KMS key is refused (a key cannot be left without a key policy).
 * Lambda: RemovePermission of exactly the statement AddPermission added, while it is public.
 * The policy read before the change is the snapshot; writing it back undoes the action.
 */

export interface ResourcePolicyState {
  /** The policy JSON; undefined when the resource has none. */
  policy?: string;
  /** The policy is not known without a live read (dry-run on facts that hold no readable policy). */
  unknown?: boolean;
}

export const RESOURCE_POLICY_PERMISSIONS = [
  "sns:GetTopicAttributes",
  "sns:ListTagsForResource",
  "sns:SetTopicAttributes",
  "sqs:GetQueueAttributes",
  "sqs:ListQueueTags",
  "sqs:SetQueueAttributes",
  "ecr:GetRepositoryPolicy",
  "ecr:ListTagsForResource",
  "ecr:SetRepositoryPolicy",
  "ecr:DeleteRepositoryPolicy",
  "secretsmanager:GetResourcePolicy",
  "secretsmanager:DescribeSecret",
  "secretsmanager:PutResourcePolicy",
  "secretsmanager:DeleteResourcePolicy",
  "kms:GetKeyPolicy",
  "kms:ListResourceTags",
  "kms:PutKeyPolicy",
  "lambda:GetFunction",
  "lambda:GetPolicy",
  "lambda:RemovePermission",
] as const;

/** The policy AWS gives a new topic: only the owner account may use it (the risk model: not public). */
export function defaultTopicPolicy(topicArn: string): string {
  const account = topicArn.split(":")[4] ?? "";
  return JSON.stringify({
    Version: "2008-10-17",
    Id: "__default_policy_ID",
    Statement: [
      {
        Sid: "__default_statement_ID",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: [
          "SNS:GetTopicAttributes",
          "SNS:SetTopicAttributes",
          "SNS:AddPermission",
          "SNS:RemovePermission",
          "SNS:DeleteTopic",
          "SNS:Subscribe",
          "SNS:ListSubscriptionsByTopic",
          "SNS:Publish",
        ],
        Resource: topicArn,
        Condition: { StringEquals: { "AWS:SourceOwner": account } },
      },
    ],
  });
}

/** The call that writes `kept` (JSON text, a live value, or undefined: nothing remains). */
function writeCall(target: Exclude<ResourcePolicyTarget, { service: "lambda" }>, kept: string | LiveValue | undefined) {
  const { region } = target;
  switch (target.service) {
    case "sns":
      return awsCall(
        "sns",
        "SetTopicAttributes",
        {
          TopicArn: target.topicArn,
          AttributeName: "Policy",
          AttributeValue: kept ?? defaultTopicPolicy(target.topicArn),
        },
        region,
      );
    case "sqs":
      // An empty Policy attribute removes the queue's policy (SQS SetQueueAttributes).
      return awsCall(
        "sqs",
        "SetQueueAttributes",
        { QueueUrl: target.queueUrl, Attributes: typeof kept === "object" ? kept : { Policy: kept ?? "" } },
        region,
      );
    case "ecr": {
      const repository = { registryId: target.registryId, repositoryName: target.repositoryName };
      return kept === undefined
        ? awsCall("ecr", "DeleteRepositoryPolicy", repository, region)
        : awsCall("ecr", "SetRepositoryPolicy", { ...repository, policyText: kept }, region);
    }
    case "secretsmanager":
      return kept === undefined
        ? awsCall("secretsmanager", "DeleteResourcePolicy", { SecretId: target.secretId }, region)
        : awsCall("secretsmanager", "PutResourcePolicy", { SecretId: target.secretId, ResourcePolicy: kept }, region);
    case "kms":
      if (kept === undefined) {
        throw new CannotPlan(
          `every statement of the key policy of KMS key ${target.keyId} is public: removing them would leave the key without a key policy, which AWS does not allow; write a policy for it by hand`,
        );
      }
      return awsCall("kms", "PutKeyPolicy", { KeyId: target.keyId, PolicyName: "default", Policy: kept }, region);
  }
}

function removePermission(target: Extract<ResourcePolicyTarget, { service: "lambda" }>): AwsCall {
  return awsCall(
    "lambda",
    "RemovePermission",
    {
      FunctionName: target.functionName,
      StatementId: target.statementId,
      ...(target.qualifier ? { Qualifier: target.qualifier } : {}),
    },
    target.region,
  );
}

/** The policy read, or a refusal: an unreadable policy is never guessed private or rewritten. */
function readable(target: ResourcePolicyTarget, policy: string): PolicyDocument {
  const reading = readPolicy(policy);
  if (!reading.ok) {
    throw new CannotPlan(`the policy of ${targetLabel(target)} could not be read (${reading.problem}): not changed`);
  }
  return reading.policy;
}

export const removePublicStatementsPlanner: ActionPlanner<ResourcePolicyTarget, ResourcePolicyState> = {
  id: "resource-policy-remove-public",
  description:
    "Remove the statements that let anyone in from the resource policy (SNS, SQS, ECR, Secrets Manager, KMS), keeping the others; on Lambda, remove the public permission that was added.",
  permissions: RESOURCE_POLICY_PERMISSIONS,
  // It changes who may use the resource: a statement made public on purpose stops working.
  destructive: true,
  resolve: (incident) => resolvePolicyTarget(incident),
  label: targetLabel,
  describe({ target }) {
    if (target.service === "lambda") {
      return `Remove permission ${target.statementId} (public) from the policy of ${targetLabel(target).replace(/ statement .*$/, "")}; AddPermission with the recorded statement undoes it.`;
    }
    const fallback = {
      sns: "restore the topic's default owner-only policy",
      sqs: "clear the queue policy",
      ecr: "delete the repository policy",
      secretsmanager: "delete the resource policy",
      kms: "refuse: a key must keep a key policy",
    }[target.service];
    return `Remove the statements that let anyone in from the policy of ${targetLabel(target)}, keeping the others (if none remain, ${fallback}); the policy read before is recorded, and writing it back undoes the change.`;
  },
  assume({ target, incident }) {
    const facts = incident.facts;
    if (target.service === "lambda") {
      const statements = Array.isArray(facts.publicStatements) ? facts.publicStatements : undefined;
      return statements ? { policy: JSON.stringify({ Statement: statements }) } : { unknown: true };
    }
    const policy = policyText(facts.policy);
    return policy !== undefined && readPolicy(policy).ok ? { policy } : { unknown: true };
  },
  plan({ target, state }) {
    if (state.unknown) {
      if (target.service === "lambda") return [removePermission(target)];
      return [writeCall(target, liveValue("the live policy without its public statements"))];
    }
    if (state.policy === undefined) return [];
    const policy = readable(target, state.policy);
    const { public: open, rest } = splitPublicStatements(policy);
    if (target.service === "lambda") {
      return open.some((statement) => statement.Sid === target.statementId) ? [removePermission(target)] : [];
    }
    if (open.length === 0) return [];
    return [writeCall(target, rest.length > 0 ? JSON.stringify({ ...policy, Statement: rest }) : undefined)];
  },
};
