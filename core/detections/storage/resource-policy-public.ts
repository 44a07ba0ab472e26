import { isPublicStatement, type PolicyStatement, splitPublicStatements } from "../../risk/resource-policy.js";
import { declareDetection, type Found, loggedPolicy, request, response } from "../declare.js";
import { identityFacts, isObject, type Json, principalOf, quote, str } from "../record.js";

/**
 * Resource policies that let anyone in, on the services whose policies CloudTrail logs as JSON
 * text. Whether a statement is public is the risk model's judgement (`core/risk/resource-policy.ts`),
 * the one `s3-bucket-policy-public` and remediation use.
 */

/** The policy a call set, and the resource it set it on. */
interface PolicyChange {
  service: string;
  /** How summaries name the resource kind. */
  kind: string;
  /** The identifier the service's API takes for the resource (topic ARN, queue URL, repository name…). */
  resourceName: string;
  resourceArn?: string;
  /** The policy as logged (JSON text; an object in some re-exports). */
  policy: unknown;
  /** More identifiers an action needs (the ECR registry). */
  extra?: Record<string, unknown>;
}

/** The first ARN in the record's `resources` (ECR and KMS records list the resource there; some re-exports write `arn`). */
function listedArn(record: Json): string | undefined {
  const resources = Array.isArray(record.resources) ? record.resources : [];
  for (const resource of resources) {
    const arn = isObject(resource) ? str(resource.ARN) || str(resource.arn) : "";
    if (arn.startsWith("arn:")) return arn;
  }
  return undefined;
}

const arnOrUndefined = (value: string): string | undefined => (value.startsWith("arn:") ? value : undefined);

/** The policy change of a watched (non-Lambda) call, or undefined when it sets no policy. */
function policyChange(record: Json): PolicyChange | undefined {
  const service = str(record.eventSource).split(".")[0] ?? "";
  const eventName = str(record.eventName);
  switch (`${service}:${eventName}`) {
    case "sns:SetTopicAttributes": {
      if (str(request(record, "attributeName")) !== "Policy") return undefined;
      const topicArn = str(request(record, "topicArn"));
      const change = { service, kind: "SNS topic", resourceName: topicArn, policy: request(record, "attributeValue") };
      return { ...change, resourceArn: arnOrUndefined(topicArn) };
    }
    case "sns:CreateTopic": {
      const topicArn = str(response(record, "topicArn"));
      const resourceName = topicArn || str(request(record, "name"));
      const policy = request(record, "attributes", "Policy");
      return { service, kind: "SNS topic", resourceName, resourceArn: arnOrUndefined(topicArn), policy };
    }
    case "sqs:SetQueueAttributes":
    case "sqs:CreateQueue": {
      const queueUrl = str(request(record, "queueUrl")) || str(response(record, "queueUrl"));
      const resourceName = queueUrl || str(request(record, "queueName"));
      return { service, kind: "SQS queue", resourceName, policy: request(record, "attributes", "Policy") };
    }
    case "ecr:SetRepositoryPolicy": {
      const registryId = str(request(record, "registryId")) || str(response(record, "registryId"));
      return {
        service,
        kind: "ECR repository",
        resourceName: str(request(record, "repositoryName")),
        resourceArn: listedArn(record),
        policy: request(record, "policyText"),
        extra: registryId ? { registryId } : undefined,
      };
    }
    case "secretsmanager:PutResourcePolicy": {
      const secretId = str(request(record, "secretId"));
      const resourceArn = arnOrUndefined(str(response(record, "arn"))) ?? arnOrUndefined(secretId);
      return {
        service,
        kind: "secret",
        resourceName: secretId,
        resourceArn,
        policy: request(record, "resourcePolicy"),
      };
    }
    case "kms:PutKeyPolicy": {
      const keyId = str(request(record, "keyId"));
      const resourceArn = listedArn(record) ?? arnOrUndefined(keyId);
      return { service, kind: "KMS key", resourceName: keyId, resourceArn, policy: request(record, "policy") };
    }
    case "kms:CreateKey": {
      const keyArn = str(response(record, "keyMetadata", "arn"));
      const resourceName = str(response(record, "keyMetadata", "keyId")) || keyArn;
      const policy = request(record, "policy");
      return { service, kind: "KMS key", resourceName, resourceArn: arnOrUndefined(keyArn), policy };
    }
    default:
      return undefined;
  }
}

/** The logged policy as text, for the facts (the action restores or compares against it). */
const policyText = (policy: unknown): string => (typeof policy === "string" ? policy : JSON.stringify(policy));

function fromPolicy(record: Json, change: PolicyChange): Found | undefined {
  const reading = loggedPolicy(change.policy);
  if (!reading) return undefined;
  const actor = quote(principalOf(record));
  const target = `${change.kind} ${quote(change.resourceName || "unknown", 120)}`;
  const facts = {
    eventName: str(record.eventName),
    ...identityFacts(record),
    service: change.service,
    resourceName: change.resourceName,
    ...(change.resourceArn ? { resourceArn: change.resourceArn } : {}),
    ...change.extra,
    policy: policyText(change.policy),
  };
  const resource = change.resourceArn ?? change.resourceName;
  if (!reading.ok) {
    return {
      resource,
      summary: `${actor} set a policy on ${target} that could not be read (${quote(reading.problem, 100)})`,
      facts: { ...facts, policyProblem: reading.problem },
    };
  }
  const publicStatements = splitPublicStatements(reading.policy).public;
  if (publicStatements.length === 0) return undefined;
  const sids = publicStatements.map((statement) => str(statement.Sid)).filter(Boolean);
  const named = sids.length ? ` (statement ${sids.map((sid) => quote(sid, 40)).join(", ")})` : "";
  return {
    resource,
    summary: `${actor} set a public policy on ${target}${named}`,
    facts: { ...facts, publicStatements },
  };
}

/**
 * The statement Lambda adds for an AddPermission request: the principal, and the conditions its
 * `sourceArn`, `sourceAccount`, `principalOrgID` and `functionUrlAuthType` parameters become.
 */
function lambdaStatement(record: Json): PolicyStatement | undefined {
  const principal = request(record, "principal");
  if (typeof principal !== "string") return undefined;
  const equals: Record<string, unknown> = {};
  const sourceAccount = request(record, "sourceAccount");
  if (sourceAccount !== undefined && sourceAccount !== null) equals["AWS:SourceAccount"] = sourceAccount;
  const orgId = request(record, "principalOrgID");
  if (orgId !== undefined && orgId !== null) equals["aws:PrincipalOrgID"] = orgId;
  const urlAuth = request(record, "functionUrlAuthType");
  if (urlAuth !== undefined && urlAuth !== null) equals["lambda:FunctionUrlAuthType"] = urlAuth;
  const condition: Record<string, Record<string, unknown>> = {};
  if (Object.keys(equals).length > 0) condition.StringEquals = equals;
  const sourceArn = request(record, "sourceArn");
  if (sourceArn !== undefined && sourceArn !== null) condition.ArnLike = { "AWS:SourceArn": sourceArn };
  const action = request(record, "action");
  return {
    ...(str(request(record, "statementId")) ? { Sid: str(request(record, "statementId")) } : {}),
    Effect: "Allow",
    Principal: principal.trim() === "*" ? "*" : { AWS: principal },
    ...(typeof action === "string" ? { Action: action } : {}),
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
}

function fromLambdaPermission(record: Json): Found | undefined {
  const statement = lambdaStatement(record);
  if (!statement || !isPublicStatement(statement)) return undefined;
  const functionName = str(request(record, "functionName"));
  const statementId = str(request(record, "statementId"));
  const qualifier = str(request(record, "qualifier"));
  const action = str(request(record, "action"));
  return {
    resource: functionName,
    summary: `${quote(principalOf(record))} let anyone call Lambda function ${quote(functionName || "unknown", 120)}${action ? ` (${quote(action, 60)})` : ""}`,
    facts: {
      eventName: str(record.eventName),
      ...identityFacts(record),
      service: "lambda",
      resourceName: functionName,
      ...(functionName.startsWith("arn:") ? { resourceArn: functionName } : {}),
      functionName,
      statementId,
      ...(qualifier ? { qualifier } : {}),
      publicStatements: [statement],
    },
  };
}

export const resourcePolicyPublic = declareDetection({
  id: "resource-policy-public",
  title: "Resource policy made public",
  category: "storage",
  severity: "high",
  attack: { id: "T1530", name: "Data from Cloud Storage" },
  asff: ["Software and Configuration Checks/AWS Security Best Practices", "Effects/Data Exposure"],
  description:
    'A resource policy set on an SNS topic (SetTopicAttributes Policy, CreateTopic), SQS queue (SetQueueAttributes, CreateQueue), ECR repository (SetRepositoryPolicy), Secrets Manager secret (PutResourcePolicy) or KMS key (PutKeyPolicy, CreateKey) has an Allow statement for a wildcard principal ("*", {"AWS": "*"}, or NotPrincipal) that no condition pins to a fixed network, organization, account or ARN; or lambda:AddPermission granted principal "*" without a source ARN, source account or organization. A policy that cannot be read is reported as such.',
  why: "A public resource policy lets any AWS account read the secret, decrypt with the key, pull the image, read or send the queue's messages, publish to the topic or invoke the function — often the quiet backdoor left behind after a compromise.",
  tuning:
    "Statements restricted by aws:SourceIp (not /0), aws:SourceVpc(e), aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceAccount/Arn/Owner, kms:CallerAccount and similar keys are not public: the same reading as `s3-bucket-policy-public`. Resources meant to be public fire when their policy is set: acknowledge them, or turn the detection off (`detections.resource-policy-public.enabled: false`).",
  response: { mode: "approval", action: "resource-policy-remove-public" },
  calls: [
    { source: "aws.sns", names: ["SetTopicAttributes", "CreateTopic"] },
    { source: "aws.sqs", names: ["SetQueueAttributes", "CreateQueue"] },
    { source: "aws.ecr", names: ["SetRepositoryPolicy"] },
    { source: "aws.secretsmanager", names: ["PutResourcePolicy"] },
    { source: "aws.kms", names: ["PutKeyPolicy", "CreateKey"] },
    // Lambda logs a version suffix: AddPermission20150331, AddPermission20150331v2.
    { source: "aws.lambda", names: [{ prefix: "AddPermission" }] },
  ],
  match: (record) => {
    if (str(record.eventSource) === "lambda.amazonaws.com") return fromLambdaPermission(record);
    const change = policyChange(record);
    return change ? fromPolicy(record, change) : undefined;
  },
});
