import type { IncidentView, Resolution } from "../types.js";
import { ID_PATTERNS, notApplicable, ok, quoted } from "./facts.js";

/**
 * The resource `resource-policy-public` found a public policy on, from its facts (`service`,
 * `resourceName`, `resourceArn`, the ECR `registryId`, Lambda's `functionName`, `statementId`,
 * `qualifier`). Every value is event text: it is checked against the service's naming rules,
 * must belong to the incident's account, and is rebuilt into the form the API takes (an SQS
 * queue URL is rebuilt from its region, account and name, so no host in the event is trusted).
 */

export type ResourcePolicyTarget =
  | { service: "sns"; topicArn: string; region: string }
  | { service: "sqs"; queueUrl: string; region: string }
  | { service: "ecr"; registryId: string; repositoryName: string; repositoryArn: string; region: string }
  | { service: "secretsmanager"; secretId: string; region: string }
  | { service: "kms"; keyId: string; region: string }
  | { service: "lambda"; functionName: string; qualifier?: string; statementId: string; region: string };

export type PolicyService = ResourcePolicyTarget["service"];

/** How people name each kind of resource. */
export const KINDS: Record<PolicyService, string> = {
  sns: "SNS topic",
  sqs: "SQS queue",
  ecr: "ECR repository",
  secretsmanager: "secret",
  kms: "KMS key",
  lambda: "Lambda function",
};

const REGION = "[a-z]{2}(?:-[a-z]+)+-\\d+";
const TOPIC = /^[A-Za-z0-9_-]{1,256}(?:\.fifo)?$/;
const QUEUE = /^[A-Za-z0-9_-]{1,80}(?:\.fifo)?$/;
const QUEUE_URL = new RegExp(
  `^https://(?:sqs\\.(${REGION})|(${REGION})\\.queue)\\.amazonaws\\.com(\\.cn)?/(\\d{12})/([A-Za-z0-9_-]{1,80}(?:\\.fifo)?)$`,
);
const REPOSITORY = /^(?=.{2,256}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const FUNCTION = /^[A-Za-z0-9_-]{1,64}$/;
const QUALIFIER = /^[A-Za-z0-9$_-]{1,128}$/;
const STATEMENT_ID = /^[A-Za-z0-9_-]{1,100}$/;
const ARN = new RegExp(`^arn:(aws(?:-[a-z]+)*):([a-z0-9-]+):(${REGION}):(\\d{12}):(.+)$`);

interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

function parseArn(value: unknown): Arn | undefined {
  const match = typeof value === "string" ? ARN.exec(value) : null;
  if (!match) return undefined;
  const [, partition = "", service = "", region = "", account = "", resource = ""] = match;
  return { partition, service, region, account, resource };
}

/** The partition of a region (ARNs built for resources the event named without one). */
function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/** An ARN of `service` in this account, or why not; undefined when the value is no ARN at all. */
function ownArn(value: unknown, service: string, account: string): Resolution<Arn> | undefined {
  if (typeof value !== "string" || !value.startsWith("arn:")) return undefined;
  const arn = parseArn(value);
  if (!arn || arn.service !== service) return notApplicable(`${quoted(value)} is not a valid ${service} ARN`);
  if (arn.account !== account) {
    return notApplicable(`${quoted(value)} is in another account (${arn.account}): not changed from here`);
  }
  return ok(arn);
}

function sns(facts: Record<string, unknown>, incident: IncidentView): Resolution<ResourcePolicyTarget> {
  const named = text(facts.resourceArn) ?? text(facts.resourceName);
  const arn = ownArn(named, "sns", incident.account);
  if (arn) {
    if (!arn.ok) return arn;
    if (!TOPIC.test(arn.target.resource)) return notApplicable("the topic ARN in the facts names no valid topic");
    return ok({ service: "sns", topicArn: named as string, region: arn.target.region });
  }
  if (!named || !TOPIC.test(named)) return notApplicable("the incident's facts name no valid SNS topic");
  const region = incident.region;
  return ok({
    service: "sns",
    topicArn: `arn:${partitionOf(region)}:sns:${region}:${incident.account}:${named}`,
    region,
  });
}

function sqs(facts: Record<string, unknown>, incident: IncidentView): Resolution<ResourcePolicyTarget> {
  const named = text(facts.resourceName);
  if (!named) return notApplicable("the incident's facts name no SQS queue");
  const url = QUEUE_URL.exec(named);
  if (url) {
    const [, sqsRegion, legacyRegion, cn = "", account = "", name = ""] = url;
    const region = (sqsRegion ?? legacyRegion) as string;
    if (account !== incident.account) {
      return notApplicable(`queue ${quoted(named)} is in another account (${account}): not changed from here`);
    }
    return ok({ service: "sqs", queueUrl: `https://sqs.${region}.amazonaws.com${cn}/${account}/${name}`, region });
  }
  if (!QUEUE.test(named)) return notApplicable(`${quoted(named)} is no SQS queue URL or name`);
  const region = incident.region;
  const cn = region.startsWith("cn-") ? ".cn" : "";
  return ok({
    service: "sqs",
    queueUrl: `https://sqs.${region}.amazonaws.com${cn}/${incident.account}/${named}`,
    region,
  });
}

function ecr(facts: Record<string, unknown>, incident: IncidentView): Resolution<ResourcePolicyTarget> {
  const repositoryName = text(facts.resourceName);
  if (!repositoryName || !REPOSITORY.test(repositoryName)) {
    return notApplicable("the incident's facts name no valid ECR repository");
  }
  const registryId = facts.registryId === undefined ? incident.account : facts.registryId;
  if (typeof registryId !== "string" || !ID_PATTERNS.account.test(registryId)) {
    return notApplicable("the ECR registry in the facts is not an account id");
  }
  if (registryId !== incident.account) {
    return notApplicable(`the repository is in another account's registry (${registryId}): not changed from here`);
  }
  const arn = ownArn(facts.resourceArn, "ecr", incident.account);
  if (arn && !arn.ok) return arn;
  if (arn && arn.target.resource !== `repository/${repositoryName}`) {
    return notApplicable("the repository ARN and name in the facts disagree");
  }
  const region = arn?.target.region ?? incident.region;
  const repositoryArn = `arn:${arn?.target.partition ?? partitionOf(region)}:ecr:${region}:${registryId}:repository/${repositoryName}`;
  return ok({ service: "ecr", registryId, repositoryName, repositoryArn, region });
}

function secretsManager(facts: Record<string, unknown>, incident: IncidentView): Resolution<ResourcePolicyTarget> {
  const named = text(facts.resourceArn) ?? text(facts.resourceName);
  const arn = ownArn(named, "secretsmanager", incident.account);
  if (arn) {
    if (!arn.ok) return arn;
    const name = arn.target.resource.replace(/^secret:/, "");
    if (!arn.target.resource.startsWith("secret:") || !SECRET_NAME.test(name)) {
      return notApplicable("the secret ARN in the facts names no valid secret");
    }
    return ok({ service: "secretsmanager", secretId: named as string, region: arn.target.region });
  }
  if (!named || !SECRET_NAME.test(named)) return notApplicable("the incident's facts name no valid secret");
  return ok({ service: "secretsmanager", secretId: named, region: incident.region });
}

function kms(facts: Record<string, unknown>, incident: IncidentView): Resolution<ResourcePolicyTarget> {
  const named = text(facts.resourceArn) ?? text(facts.resourceName);
  const arn = ownArn(named, "kms", incident.account);
  if (arn) {
    if (!arn.ok) return arn;
    if (!KEY_ID.test(arn.target.resource.replace(/^key\//, "")) || !arn.target.resource.startsWith("key/")) {
      return notApplicable("the key ARN in the facts names no KMS key (an alias cannot take a key policy)");
    }
    return ok({ service: "kms", keyId: named as string, region: arn.target.region });
  }
  if (!named || !KEY_ID.test(named)) return notApplicable("the incident's facts name no valid KMS key id");
  return ok({ service: "kms", keyId: named, region: incident.region });
}

function lambda(facts: Record<string, unknown>, incident: IncidentView): Resolution<ResourcePolicyTarget> {
  const functionName = text(facts.functionName);
  const { statementId, qualifier } = facts;
  if (typeof statementId !== "string" || !STATEMENT_ID.test(statementId)) {
    return notApplicable("the incident's facts name no valid statement id: the permission cannot be told apart");
  }
  if (qualifier !== undefined && (typeof qualifier !== "string" || !QUALIFIER.test(qualifier))) {
    return notApplicable("the incident's facts name no valid function qualifier");
  }
  const extra = { statementId, ...(qualifier ? { qualifier } : {}) };
  const arn = ownArn(functionName, "lambda", incident.account);
  if (arn) {
    if (!arn.ok) return arn;
    const [kind, name = "", version] = arn.target.resource.split(":");
    if (kind !== "function" || !FUNCTION.test(name) || (version !== undefined && !QUALIFIER.test(version))) {
      return notApplicable("the function ARN in the facts names no valid Lambda function");
    }
    if (version !== undefined && qualifier !== undefined && version !== qualifier) {
      return notApplicable("the function ARN and the qualifier in the facts disagree");
    }
    return ok({ service: "lambda", functionName: functionName as string, ...extra, region: arn.target.region });
  }
  if (!functionName || !FUNCTION.test(functionName)) {
    return notApplicable("the incident's facts name no valid Lambda function");
  }
  return ok({ service: "lambda", functionName, ...extra, region: incident.region });
}

const RESOLVERS: Record<
  PolicyService,
  (facts: Record<string, unknown>, incident: IncidentView) => Resolution<ResourcePolicyTarget>
> = { sns, sqs, ecr, secretsmanager: secretsManager, kms, lambda };

/** The resource whose policy the incident's facts name, or why the action does not apply. */
export function resolvePolicyTarget(incident: IncidentView): Resolution<ResourcePolicyTarget> {
  const { service } = incident.facts;
  if (typeof service !== "string" || !Object.hasOwn(RESOLVERS, service)) {
    return notApplicable("the incident's facts name no service whose resource policy this action changes");
  }
  if (!ID_PATTERNS.region.test(incident.region)) return notApplicable("the incident names no valid region");
  return RESOLVERS[service as PolicyService](incident.facts, incident);
}

/** A stable name of the target (also how descriptions name it). */
export function targetLabel(target: ResourcePolicyTarget): string {
  switch (target.service) {
    case "sns":
      return `${KINDS.sns} ${target.topicArn}`;
    case "sqs":
      return `${KINDS.sqs} ${target.queueUrl}`;
    case "ecr":
      return `${KINDS.ecr} ${target.repositoryArn}`;
    case "secretsmanager":
      return `${KINDS.secretsmanager} ${target.secretId}`;
    case "kms":
      return `${KINDS.kms} ${target.keyId}`;
    case "lambda":
      return `${KINDS.lambda} ${target.functionName}${target.qualifier ? `:${target.qualifier}` : ""} statement ${target.statementId}`;
  }
}
