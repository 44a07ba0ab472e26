import { declareDetection, request, response } from "../declare.js";
import { accountOf, identityFacts, type Json, principalOf, quote, str } from "../record.js";

const IP_SET_CALLS = ["CreateIPSet", "UpdateIPSet"];

function detectorArn(record: Json, detectorId: string): string {
  return `arn:aws:guardduty:${str(record.awsRegion)}:${accountOf(record)}:detector/${detectorId}`;
}

export const guarddutySuppressed = declareDetection({
  id: "guardduty-suppressed",
  title: "GuardDuty findings suppressed",
  category: "logging",
  severity: "high",
  attack: { id: "T1562.001", name: "Impair Defenses: Disable or Modify Tools" },
  asff: ["TTPs/Defense Evasion"],
  description:
    "GuardDuty was told to stay quiet: a trusted IP list created or updated (guardduty:CreateIPSet / UpdateIPSet; GuardDuty raises no finding for traffic from those addresses), or a filter created or updated with `action` ARCHIVE (a suppression rule: matching findings are archived as they arrive). Filters that only select findings (`action` NOOP) do not fire.",
  why: "An attacker who cannot switch GuardDuty off can make it ignore them: adding their own addresses to a trusted IP list, or a suppression rule matching their findings, keeps the detector running and the dashboards green while their activity goes unreported.",
  tuning:
    "Trusted IP lists and suppression rules change rarely and deliberately: acknowledge a planned change, or make it from a role named with `protection.toolRolePrefix`. The finding names the detector (`detectorId`) and the IP set (`ipSetId`, with the list's `location`) or filter (`filterName`) to review. The response deactivates a trusted IP list automatically (UpdateIPSet Activate=false; the list is kept) and deletes a suppression rule after approval (kept whole in the snapshot to recreate it).",
  response: { mode: "auto", action: "guardduty-deactivate-ip-set" },
  calls: [{ source: "aws.guardduty", names: [...IP_SET_CALLS, "CreateFilter", "UpdateFilter"] }],
  match: (record) => {
    const eventName = str(record.eventName);
    const detectorId = str(request(record, "detectorId"));
    const actor = quote(principalOf(record));
    const detector = quote(detectorId || "unknown", 40);
    if (IP_SET_CALLS.includes(eventName)) {
      const ipSetId = str(request(record, "ipSetId")) || str(response(record, "ipSetId"));
      const name = str(request(record, "name"));
      const location = str(request(record, "location"));
      const activate = request(record, "activate");
      const verb = eventName === "CreateIPSet" ? "created" : "updated";
      return {
        resource: `${detectorArn(record, detectorId)}/ipset/${ipSetId}`,
        summary: `${actor} ${verb} GuardDuty trusted IP list ${quote(name || ipSetId || "unknown", 60)} on detector ${detector}`,
        facts: {
          eventName,
          ...identityFacts(record),
          detectorId,
          ipSetId,
          ...(name ? { ipSetName: name } : {}),
          ...(location ? { location } : {}),
          ...(typeof activate === "boolean" ? { activate } : {}),
        },
      };
    }
    // CreateFilter / UpdateFilter: only a filter that archives what it matches suppresses findings.
    if (str(request(record, "action")).toUpperCase() !== "ARCHIVE") return undefined;
    const filterName =
      str(request(record, "filterName")) || str(request(record, "name")) || str(response(record, "name"));
    const verb = eventName === "CreateFilter" ? "created" : "updated";
    return {
      resource: `${detectorArn(record, detectorId)}/filter/${filterName}`,
      summary: `${actor} ${verb} GuardDuty suppression rule ${quote(filterName || "unknown", 60)} (archives matching findings) on detector ${detector}`,
      facts: {
        eventName,
        ...identityFacts(record),
        detectorId,
        filterName,
        action: "ARCHIVE",
        ...(request(record, "findingCriteria") !== undefined
          ? { findingCriteria: request(record, "findingCriteria") }
          : {}),
      },
    };
  },
});
