import { declareDetection, request } from "../declare.js";
import { accountOf, identityFacts, type Json, principalOf, quote, str } from "../record.js";

/** `enable` as GuardDuty's UpdateDetector logs it (a boolean; some re-exports write it as text). */
const disables = (value: unknown) => value === false || value === "false";

function detectorArn(record: Json, detectorId: string): string {
  const region = str(record.awsRegion);
  const account = accountOf(record);
  return `arn:aws:guardduty:${region}:${account}:detector${detectorId ? `/${detectorId}` : ""}`;
}

export const guarddutyDisabled = declareDetection({
  id: "guardduty-disabled",
  title: "GuardDuty detector disabled or deleted",
  category: "logging",
  severity: "critical",
  attack: { id: "T1562.001", name: "Impair Defenses: Disable or Modify Tools" },
  asff: ["TTPs/Defense Evasion"],
  description:
    "GuardDuty was switched off in a region: guardduty:DeleteDetector, or guardduty:UpdateDetector with `enable` false (the detector is suspended). Other detector updates (features, publishing frequency) do not fire.",
  why: "GuardDuty is the threat detection of the account: once its detector is suspended or deleted, no finding reaches Riposte or anyone else from that region, and deleting it also throws away the findings it holds. Attackers switch it off before they act.",
  tuning:
    "Planned changes (a region retired, infrastructure as code that manages the detector) fire too: run them from a role named with `protection.toolRolePrefix` or acknowledge the finding. The finding names the detector (`detectorId`) and whether it was suspended (UpdateDetector, which can be undone by enabling it again) or deleted (DeleteDetector, which cannot).",
  response: { mode: "auto", action: "guardduty-enable-detector" },
  calls: [{ source: "aws.guardduty", names: ["DeleteDetector", "UpdateDetector"] }],
  match: (record) => {
    const eventName = str(record.eventName);
    if (eventName === "UpdateDetector" && !disables(request(record, "enable"))) return undefined;
    const detectorId = str(request(record, "detectorId"));
    const verb = eventName === "DeleteDetector" ? "deleted" : "suspended";
    const region = str(record.awsRegion) || "an unknown region";
    return {
      resource: detectorArn(record, detectorId),
      summary: `${quote(principalOf(record))} ${verb} GuardDuty detector ${quote(detectorId || "unknown", 40)} in ${quote(region, 30)}`,
      facts: { eventName, ...identityFacts(record), detectorId },
    };
  },
});
