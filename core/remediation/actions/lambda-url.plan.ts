import { awsCall } from "../aws/calls.js";
import type { ActionPlanner } from "../types.js";
import { ID_PATTERNS, notApplicable, ok } from "./facts.js";

/**
 * `lambda-url-require-iam`: UpdateFunctionUrlConfig AuthType=AWS_IAM on the function URL that
 * lambda-url-public saw made public (functionName, qualifier): callers then need AWS credentials
 * allowed lambda:InvokeFunctionUrl. The URL, its CORS and invoke mode are kept.
 */

export interface LambdaUrlTarget {
  /** A function name, or the function's ARN in this account (as the event named it). */
  functionName: string;
  qualifier?: string;
  region: string;
}

export interface LambdaUrlState {
  authType?: string;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const ARN =
  /^arn:aws[a-z-]*:lambda:([a-z]{2}(?:-[a-z]+)+-\d+):(\d{12}):function:([A-Za-z0-9_-]{1,64})(?::([A-Za-z0-9$_-]{1,128}))?$/;
const QUALIFIER = /^[A-Za-z0-9$_-]{1,128}$/;

export const requireIamOnUrlPlanner: ActionPlanner<LambdaUrlTarget, LambdaUrlState> = {
  id: "lambda-url-require-iam",
  description:
    "Require AWS IAM authentication on the public Lambda function URL (UpdateFunctionUrlConfig AuthType=AWS_IAM).",
  permissions: ["lambda:GetFunctionUrlConfig", "lambda:ListTags", "lambda:UpdateFunctionUrlConfig"],
  // Whoever calls the URL without AWS credentials (a webhook, a public page) is refused.
  destructive: true,
  resolve(incident) {
    const { functionName, qualifier } = incident.facts;
    if (typeof functionName !== "string") return notApplicable("the incident's facts name no Lambda function");
    if (qualifier !== undefined && (typeof qualifier !== "string" || !QUALIFIER.test(qualifier))) {
      return notApplicable("the incident's facts name no valid function URL qualifier");
    }
    const arn = ARN.exec(functionName);
    if (arn) {
      if (arn[2] !== incident.account) {
        return notApplicable(`function ${functionName} is in another account (${arn[2]}): not changed from here`);
      }
      if (arn[4] !== undefined && qualifier !== undefined && arn[4] !== qualifier) {
        return notApplicable("the function ARN and the qualifier in the facts disagree");
      }
      return ok({ functionName, ...(qualifier ? { qualifier } : {}), region: arn[1] as string });
    }
    if (!NAME.test(functionName)) return notApplicable("the incident's facts name no valid Lambda function");
    if (!ID_PATTERNS.region.test(incident.region)) return notApplicable("the incident names no valid region");
    return ok({ functionName, ...(qualifier ? { qualifier } : {}), region: incident.region });
  },
  label: (target) => `function URL of ${target.functionName}${target.qualifier ? `:${target.qualifier}` : ""}`,
  describe: ({ target }) =>
    `Require AWS IAM authentication on the URL of Lambda function ${target.functionName}${target.qualifier ? ` (alias ${target.qualifier})` : ""}: anonymous callers are refused; set AuthType NONE again to undo.`,
  assume: () => ({ authType: "NONE" }),
  plan({ target, state }) {
    if (state.authType === "AWS_IAM") return [];
    return [
      awsCall(
        "lambda",
        "UpdateFunctionUrlConfig",
        {
          FunctionName: target.functionName,
          ...(target.qualifier ? { Qualifier: target.qualifier } : {}),
          AuthType: "AWS_IAM",
        },
        target.region,
      ),
    ];
  },
};
