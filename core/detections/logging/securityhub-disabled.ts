import { declareDetection, request, response } from "../declare.js";
import { accountOf, identityFacts, isObject, list, principalOf, quote, str } from "../record.js";

const strings = (value: unknown): string[] =>
  list(value).filter((item): item is string => typeof item === "string" && item !== "");

export const securityhubDisabled = declareDetection({
  id: "securityhub-disabled",
  title: "Security Hub or its standards disabled",
  category: "logging",
  severity: "high",
  attack: { id: "T1562.001", name: "Impair Defenses: Disable or Modify Tools" },
  asff: ["TTPs/Defense Evasion"],
  description:
    "Security Hub was switched off in a region (securityhub:DisableSecurityHub), or security standards were disabled (securityhub:BatchDisableStandards): their controls stop being checked.",
  why: "Security Hub gathers the findings of GuardDuty, Config, Inspector and others and runs the standards' controls; disabling it, or the standards, removes that view and the compliance checks that would report what an attacker changes next.",
  tuning:
    "Standards are sometimes disabled on purpose (one standard replacing another, a region left): acknowledge a planned change, or make it from a role named with `protection.toolRolePrefix`. The finding lists the disabled subscriptions (`standardsSubscriptionArns`, and `standardsArns` when CloudTrail logged the response).",
  response: { mode: "auto", action: "securityhub-enable" },
  calls: [{ source: "aws.securityhub", names: ["DisableSecurityHub", "BatchDisableStandards"] }],
  match: (record) => {
    const eventName = str(record.eventName);
    const actor = quote(principalOf(record));
    const region = str(record.awsRegion);
    const hubArn = `arn:aws:securityhub:${region}:${accountOf(record)}:hub/default`;
    if (eventName === "DisableSecurityHub") {
      return {
        resource: hubArn,
        summary: `${actor} disabled Security Hub in ${quote(region || "an unknown region", 30)}`,
        facts: { eventName, ...identityFacts(record), standardsSubscriptionArns: [] },
      };
    }
    const standardsSubscriptionArns = strings(request(record, "standardsSubscriptionArns"));
    const standardsArns = list(response(record, "standardsSubscriptions"))
      .map((subscription) => (isObject(subscription) ? str(subscription.standardsArn) : ""))
      .filter(Boolean);
    const named = standardsSubscriptionArns.map((arn) => arn.slice(arn.indexOf("/") + 1));
    const what =
      named.length === 0
        ? "security standards"
        : named.length === 1
          ? `standard ${quote(named[0]!, 80)}`
          : `${named.length} standards (${quote(named.join(", "), 120)})`;
    return {
      resource: standardsSubscriptionArns.length === 1 ? standardsSubscriptionArns[0]! : hubArn,
      summary: `${actor} disabled Security Hub ${what}`,
      facts: {
        eventName,
        ...identityFacts(record),
        standardsSubscriptionArns,
        ...(standardsArns.length > 0 ? { standardsArns } : {}),
      },
    };
  },
});
