import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import { type LambdaUrlState, type LambdaUrlTarget, requireIamOnUrlPlanner } from "./lambda-url.plan.js";
import { check, goneOr, sendAll } from "./live.js";

/**
 * `lambda-url-require-iam`, live: the URL's auth type and the function's tags (tags belong to the
 * function, never to an alias); a deleted function or URL is gone.
 */

const NOT_FOUND = ["ResourceNotFoundException"];

/** The function's unqualified ARN (ListTags takes no alias or version). */
function unqualified(arn: string): string {
  return arn.split(":").slice(0, 7).join(":");
}

async function snapshot(ctx: LiveContext<LambdaUrlTarget>): Promise<Snapshot<LambdaUrlState>> {
  const { functionName, qualifier, region } = ctx.target;
  return goneOr(NOT_FOUND, `the URL of function ${functionName} no longer exists`, async () => {
    const url = await ctx.aws.send(
      "lambda",
      "GetFunctionUrlConfig",
      { FunctionName: functionName, ...(qualifier ? { Qualifier: qualifier } : {}) },
      region,
    );
    const tags = url.FunctionArn
      ? ((await ctx.aws.send("lambda", "ListTags", { Resource: unqualified(url.FunctionArn) }, region)).Tags ?? {})
      : {};
    return { state: url.AuthType ? { authType: url.AuthType } : {}, tags: [tags] };
  });
}

export const requireIamOnUrl: RemediationAction<LambdaUrlTarget, LambdaUrlState> = {
  ...requireIamOnUrlPlanner,
  errors: { gone: NOT_FOUND },
  snapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await snapshot(ctx);
    if ("gone" in read) return [check("target gone", true, read.gone)];
    return [
      check(
        "function URL requires AWS IAM",
        read.state.authType === "AWS_IAM",
        `AuthType: ${read.state.authType ?? "unknown"}`,
      ),
    ];
  },
};
