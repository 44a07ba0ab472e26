import { isPublicStatement, readPolicy } from "../../risk/resource-policy.js";
import type { LiveContext, RemediationAction, Snapshot, VerifyCheck } from "../types.js";
import { check, goneOr, sendAll, tagMap, unlessAbsent } from "./live.js";
import { type ResourcePolicyState, removePublicStatementsPlanner } from "./resource-policy.plan.js";
import type { ResourcePolicyTarget } from "./resource-policy-target.js";

/**
 * `resource-policy-remove-public`, live: the policy and the resource's tags, each with its
 * service's API. The policy read is the before-snapshot the run records (the way back).
 */

/** Errors meaning the resource itself no longer exists, per service. */
const GONE: Record<ResourcePolicyTarget["service"], readonly string[]> = {
  sns: ["NotFoundException", "NotFound"],
  sqs: ["QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"],
  ecr: ["RepositoryNotFoundException"],
  secretsmanager: ["ResourceNotFoundException"],
  kms: ["NotFoundException"],
  lambda: ["ResourceNotFoundException"],
};

interface Read {
  policy?: string;
  tags: Record<string, string>;
}

async function readTarget(ctx: LiveContext<ResourcePolicyTarget>): Promise<Read> {
  const target = ctx.target;
  const { region } = target;
  switch (target.service) {
    case "sns": {
      const topic = await ctx.aws.send("sns", "GetTopicAttributes", { TopicArn: target.topicArn }, region);
      const tags = await ctx.aws.send("sns", "ListTagsForResource", { ResourceArn: target.topicArn }, region);
      return { policy: topic.Attributes?.Policy || undefined, tags: tagMap(tags.Tags) };
    }
    case "sqs": {
      const queue = await ctx.aws.send(
        "sqs",
        "GetQueueAttributes",
        { QueueUrl: target.queueUrl, AttributeNames: ["Policy"] },
        region,
      );
      const tags = await ctx.aws.send("sqs", "ListQueueTags", { QueueUrl: target.queueUrl }, region);
      return { policy: queue.Attributes?.Policy || undefined, tags: tags.Tags ?? {} };
    }
    case "ecr": {
      const repository = { registryId: target.registryId, repositoryName: target.repositoryName };
      const answer = await unlessAbsent(
        () => ctx.aws.send("ecr", "GetRepositoryPolicy", repository, region),
        ["RepositoryPolicyNotFoundException"],
        undefined,
      );
      const tags = await ctx.aws.send("ecr", "ListTagsForResource", { resourceArn: target.repositoryArn }, region);
      return { policy: answer?.policyText || undefined, tags: tagMap(tags.tags) };
    }
    case "secretsmanager": {
      const secret = await ctx.aws.send("secretsmanager", "DescribeSecret", { SecretId: target.secretId }, region);
      const answer = await ctx.aws.send("secretsmanager", "GetResourcePolicy", { SecretId: target.secretId }, region);
      return { policy: answer.ResourcePolicy || undefined, tags: tagMap(secret.Tags) };
    }
    case "kms": {
      const answer = await ctx.aws.send("kms", "GetKeyPolicy", { KeyId: target.keyId, PolicyName: "default" }, region);
      const tags = await ctx.aws.send("kms", "ListResourceTags", { KeyId: target.keyId }, region);
      const map: Record<string, string> = {};
      for (const tag of tags.Tags ?? []) if (tag.TagKey !== undefined) map[tag.TagKey] = tag.TagValue ?? "";
      return { policy: answer.Policy || undefined, tags: map };
    }
    case "lambda": {
      const qualifier = target.qualifier ? { Qualifier: target.qualifier } : {};
      // GetFunction first: a missing function is gone; afterwards, not found means no policy.
      const fn = await ctx.aws.send(
        "lambda",
        "GetFunction",
        { FunctionName: target.functionName, ...qualifier },
        region,
      );
      const answer = await unlessAbsent(
        () => ctx.aws.send("lambda", "GetPolicy", { FunctionName: target.functionName, ...qualifier }, region),
        ["ResourceNotFoundException"],
        undefined,
      );
      return { policy: answer?.Policy || undefined, tags: fn.Tags ?? {} };
    }
  }
}

async function snapshot(ctx: LiveContext<ResourcePolicyTarget>): Promise<Snapshot<ResourcePolicyState>> {
  return goneOr(GONE[ctx.target.service], `${removePublicStatements.label(ctx.target)} no longer exists`, async () => {
    const { policy, tags } = await readTarget(ctx);
    return { state: policy === undefined ? {} : { policy }, tags: [tags] };
  });
}

/** The policy read back, judged by the shared risk model; an unreadable one fails, never guessed private. */
function policyChecks(target: ResourcePolicyTarget, policy: string | undefined): VerifyCheck[] {
  const name = "no public statement in the resource policy";
  const checks: VerifyCheck[] = [];
  if (target.service === "kms") checks.push(check("the key keeps a key policy", policy !== undefined));
  if (policy === undefined) return [...checks, check(name, true, "the resource has no policy")];
  const reading = readPolicy(policy);
  if (!reading.ok) return [...checks, check(name, false, `the policy could not be read: ${reading.problem}`)];
  const statements = reading.policy.Statement;
  if (target.service === "lambda") {
    const added = statements.find((statement) => statement.Sid === target.statementId);
    const detail = added ? "present, and not public" : "removed";
    const stillOpen = added !== undefined && isPublicStatement(added);
    checks.push(
      check(`permission ${target.statementId} no longer public`, !stillOpen, stillOpen ? "still public" : detail),
    );
  }
  const open = statements.filter(isPublicStatement);
  const sids = open.map((statement) => statement.Sid).filter((sid) => typeof sid === "string");
  checks.push(
    check(
      name,
      open.length === 0,
      open.length === 0
        ? `${statements.length} statements, none public`
        : `public statements remain: ${open.length}${sids.length ? ` (${sids.map((sid) => JSON.stringify(sid)).join(", ")})` : ""}`,
    ),
  );
  return checks;
}

const NOT_FOUND = [...new Set(Object.values(GONE).flat())];

export const removePublicStatements: RemediationAction<ResourcePolicyTarget, ResourcePolicyState> = {
  ...removePublicStatementsPlanner,
  // A not-found answer to a write means the resource or the permission went away meanwhile: the
  // runner reads again, and the read tells gone (resource missing) from already done.
  errors: { alreadyDone: NOT_FOUND },
  snapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await snapshot(ctx);
    if ("gone" in read) return [check("target gone", true, read.gone)];
    return policyChecks(ctx.target, read.state.policy);
  },
};
