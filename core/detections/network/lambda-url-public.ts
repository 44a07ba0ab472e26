import { declareDetection, request, response } from "../declare.js";
import { accountOf, identityFacts, type Json, principalOf, quote, str } from "../record.js";

/**
 * The auth type a function URL call set. Create requires `authType`; Update may leave it out (a
 * CORS-only change), and then it changed nothing about who may call the URL.
 */
function requestedAuthType(record: Json): string {
  const requested = str(request(record, "authType"));
  if (requested) return requested;
  return str(record.eventName).startsWith("CreateFunctionUrlConfig") ? str(response(record, "authType")) : "";
}

/** The function's ARN: from the response, the request when it names one, else built from its name. */
function functionArnOf(record: Json, functionName: string, qualifier: string): string {
  const logged = str(response(record, "functionArn"));
  if (logged) return logged;
  if (functionName.startsWith("arn:")) return functionName;
  const base = `arn:aws:lambda:${str(record.awsRegion)}:${accountOf(record)}:function:${functionName}`;
  return qualifier ? `${base}:${qualifier}` : base;
}

export const lambdaUrlPublic = declareDetection({
  id: "lambda-url-public",
  title: "Lambda function URL opened to anyone",
  category: "network",
  severity: "high",
  attack: { id: "T1190", name: "Exploit Public-Facing Application" },
  asff: ["Software and Configuration Checks/AWS Security Best Practices/Network Reachability", "TTPs/Initial Access"],
  description:
    "lambda:CreateFunctionUrlConfig or UpdateFunctionUrlConfig (logged with an API version suffix, e.g. CreateFunctionUrlConfig20211031) succeeded with `authType` NONE: the function now answers HTTPS requests from anyone on the internet, without AWS credentials.",
  why: "A function URL with auth type NONE is a public endpoint that runs the function with its execution role: whoever finds the URL can invoke code that holds that role's permissions, and an attacker can add one to keep a backdoor into the account.",
  tuning:
    "Functions meant to be public (webhooks, public APIs) fire once when their URL is created; acknowledge them or switch the detection to notify. An update that leaves `authType` out (a CORS change) does not fire.",
  response: { mode: "approval", action: "lambda-url-require-iam" },
  calls: [
    {
      source: "aws.lambda",
      names: [{ prefix: "CreateFunctionUrlConfig" }, { prefix: "UpdateFunctionUrlConfig" }],
    },
  ],
  match: (record) => {
    if (requestedAuthType(record) !== "NONE") return undefined;
    const functionName = str(request(record, "functionName"));
    const qualifier = str(request(record, "qualifier"));
    const functionArn = functionArnOf(record, functionName, qualifier);
    const functionUrl = str(response(record, "functionUrl"));
    const target = qualifier ? `${functionName}:${qualifier}` : functionName;
    return {
      resource: functionArn,
      summary: `${quote(principalOf(record))} made the URL of Lambda function ${quote(target || functionArn, 140)} public (auth type NONE)`,
      facts: {
        ...identityFacts(record),
        eventName: str(record.eventName),
        functionName,
        ...(qualifier ? { qualifier } : {}),
        functionArn,
        ...(functionUrl ? { functionUrl } : {}),
        authType: "NONE",
      },
    };
  },
});
