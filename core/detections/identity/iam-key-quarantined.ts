import { declareDetection, request } from "../declare.js";
import { identityFacts, principalOf, quote, str } from "../record.js";

/** The AWS managed quarantine policies (AWSCompromisedKeyQuarantine, …V2, …V3). */
const QUARANTINE_POLICY = "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantine";

export const iamKeyQuarantined = declareDetection({
  id: "iam-key-quarantined",
  title: "AWS quarantined a leaked access key",
  category: "identity",
  severity: "high",
  attack: { id: "T1078.004", name: "Valid Accounts: Cloud Accounts" },
  asff: ["TTPs/Initial Access", "TTPs/Credential Access"],
  description:
    "An AWSCompromisedKeyQuarantine managed policy (any version) was attached to an IAM user: AWS does this when it finds one of the user's access keys exposed in public, and opens a support case.",
  why: "The policy only denies a short list of high-risk actions: the leaked key keeps working for everything else until it is deactivated, and whoever found it may already have used it.",
  tuning:
    "Fires on every attachment, whether AWS or a person attached the policy. Check the support case AWS opened, deactivate and replace the user's access keys, and look for what the key did since it leaked. The response deactivates every active access key of the user after approval (the event does not say which key leaked).",
  response: { mode: "approval", action: "iam-deactivate-user-keys" },
  calls: [{ source: "aws.iam", names: ["AttachUserPolicy"] }],
  where: () => ({ requestParameters: { policyArn: [{ prefix: QUARANTINE_POLICY }] } }),
  match: (record) => {
    const policyArn = str(request(record, "policyArn"));
    if (!policyArn.startsWith(QUARANTINE_POLICY)) return undefined;
    const userName = str(request(record, "userName"));
    return {
      resource: userName ? `user/${userName}` : principalOf(record),
      summary: `${quote(policyArn.slice(policyArn.lastIndexOf("/") + 1), 64)} was attached to user ${quote(userName || "(name not logged)", 64)} by ${quote(principalOf(record) || "an unknown principal")}: AWS reports one of its access keys as leaked`,
      facts: {
        ...identityFacts(record),
        eventName: str(record.eventName),
        policyArn,
        ...(userName ? { targetUserName: userName } : {}),
      },
    };
  },
});
