import { declareDetection } from "../declare.js";
import { at, identityFacts, principalOf, quote, str } from "../record.js";

export const consoleLoginWithoutMfa = declareDetection({
  id: "console-login-without-mfa",
  title: "Console sign-in without MFA",
  category: "identity",
  severity: "medium",
  attack: { id: "T1078.004", name: "Valid Accounts: Cloud Accounts" },
  asff: ["TTPs/Initial Access", "Software and Configuration Checks/AWS Security Best Practices"],
  description:
    "An IAM user signed in to the console successfully with a password alone (ConsoleLogin `Success`, `MFAUsed` `No`). The root user (root-account-usage) and federated or IAM Identity Center sign-ins, which MFA at the identity provider, are not counted.",
  why: "A password alone is one phishing page or reused leak away from an attacker: a console sign-in without MFA is either a user who was never given a second factor or someone who got around it.",
  tuning:
    "Every sign-in of a user without an MFA device fires: give those users MFA (and require it with an IAM policy) rather than acknowledging them one by one. Root sign-ins are root-account-usage's, with or without MFA. It fires on the same sign-in as console-login-new-ip or console-login-new-device when the place or device is also new; those judge where the sign-in came from, this one how it was authenticated. mfa-deactivated reports removing a device and credential-change setting a password, which often come just before. Notify only.",
  response: { mode: "notify" },
  calls: [{ source: "aws.signin", detailType: "AWS Console Sign In via CloudTrail", names: ["ConsoleLogin"] }],
  where: () => ({
    userIdentity: { type: ["IAMUser"] },
    responseElements: { ConsoleLogin: ["Success"] },
    additionalEventData: { MFAUsed: ["No"] },
  }),
  match: (record) => {
    if (str(at(record, "userIdentity", "type")) !== "IAMUser") return undefined;
    if (at(record, "responseElements", "ConsoleLogin") !== "Success") return undefined;
    if (at(record, "additionalEventData", "MFAUsed") !== "No") return undefined;
    const user = principalOf(record) || str(at(record, "userIdentity", "userName"));
    return {
      resource: user || "console",
      summary: `IAM user ${quote(user || "(not logged)")} signed in to the console without MFA from ${quote(str(record.sourceIPAddress) || "an unknown address", 60)}`,
      facts: { ...identityFacts(record), eventName: str(record.eventName) },
    };
  },
});
