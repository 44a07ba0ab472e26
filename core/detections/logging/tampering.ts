import { cloudTrailDraft } from "../draft.js";
import { apiCalls, NO_ERROR } from "../pattern-helpers.js";
import { at, isObject, type Json, list, principalOf, quote, str } from "../record.js";
import type { StatelessDetection } from "../types.js";

/**
 * CloudTrail tampering: logging stopped, a trail deleted or changed, event selectors that drop
 * management events, CloudTrail Lake ingestion stopped or an event data store deleted. Failed
 * attempts change nothing and do not fire.
 */

const TAMPERING_CALLS = [
  "StopLogging",
  "DeleteTrail",
  "UpdateTrail",
  "PutEventSelectors",
  "StopEventDataStoreIngestion",
  "DeleteEventDataStore",
];

const get = (value: unknown, name: string): unknown => {
  if (!isObject(value)) return undefined;
  if (name in value) return value[name];
  const lower = name.charAt(0).toLowerCase() + name.slice(1);
  const upper = name.charAt(0).toUpperCase() + name.slice(1);
  return value[lower] ?? value[upper];
};

/** How a PutEventSelectors request reduces management-event logging, or undefined if it keeps it all. */
export function managementEventReduction(requestParameters: unknown): string | undefined {
  const basic = list(get(requestParameters, "eventSelectors"));
  for (const selector of basic) {
    const include = get(selector, "includeManagementEvents");
    if (include === false || include === "false") return "management events excluded";
    const readWrite = str(get(selector, "readWriteType"));
    if (readWrite && readWrite !== "All") return `only ${readWrite} events kept`;
    if (list(get(selector, "excludeManagementEventSources")).length > 0) return "management event sources excluded";
  }
  const advanced = list(get(requestParameters, "advancedEventSelectors"));
  if (advanced.length > 0) {
    const management = advanced.filter((selector) =>
      list(get(selector, "fieldSelectors")).some(
        (field) => str(get(field, "field")) === "eventCategory" && list(get(field, "equals")).includes("Management"),
      ),
    );
    if (management.length === 0) return "no advanced selector keeps management events";
    const complete = management.some((selector) => list(get(selector, "fieldSelectors")).length === 1);
    if (!complete) return "management events filtered by advanced selectors";
  }
  return undefined;
}

function updateTrailChanges(params: unknown): string {
  const changes: string[] = [];
  if (str(get(params, "s3BucketName")))
    changes.push(`log bucket set to ${quote(str(get(params, "s3BucketName")), 64)}`);
  if (get(params, "enableLogFileValidation") === false) changes.push("log file validation disabled");
  if (get(params, "isMultiRegionTrail") === false) changes.push("made single-region");
  if (get(params, "includeGlobalServiceEvents") === false) changes.push("global service events excluded");
  if (get(params, "kmsKeyId") !== undefined) changes.push("encryption key changed");
  if (get(params, "cloudWatchLogsLogGroupArn") !== undefined) changes.push("CloudWatch Logs delivery changed");
  return changes.length > 0 ? changes.join(", ") : "trail settings changed";
}

export const cloudtrailTampering: StatelessDetection = {
  id: "cloudtrail-tampering",
  title: "CloudTrail logging tampered with",
  category: "logging",
  severity: "critical",
  attack: { id: "T1562.008", name: "Impair Defenses: Disable or Modify Cloud Logs" },
  stateful: false,
  description:
    "Audit logging was stopped or weakened: StopLogging, DeleteTrail, UpdateTrail, PutEventSelectors that exclude or reduce management events, or CloudTrail Lake ingestion stopped / an event data store deleted.",
  why: "Attackers blind the defenders before acting. Everything after this event may be missing from the logs.",
  tuning:
    "Planned trail changes (infrastructure as code) fire too: run them from Riposte's allow-listed role prefix or acknowledge them. StopLogging is answered by StartLogging automatically; other changes are reported for a person to judge.",
  response: { mode: "auto", action: "cloudtrail-start-logging" },
  buildPattern: () => apiCalls("aws.cloudtrail", TAMPERING_CALLS, NO_ERROR),
  evaluate(envelope) {
    const record = envelope.detail as Json;
    const eventName = str(record.eventName);
    const params = record.requestParameters;
    let what: string;
    if (eventName === "PutEventSelectors") {
      const reduction = managementEventReduction(params);
      if (!reduction) return undefined;
      what = `changed event selectors (${reduction})`;
    } else if (eventName === "UpdateTrail") {
      what = `updated the trail (${updateTrailChanges(params)})`;
    } else {
      const verbs: Record<string, string> = {
        StopLogging: "stopped logging on",
        DeleteTrail: "deleted",
        StopEventDataStoreIngestion: "stopped ingestion into",
        DeleteEventDataStore: "deleted",
      };
      what = verbs[eventName] ?? eventName;
    }
    const name = str(get(params, "name")) || str(get(params, "trailName")) || str(get(params, "eventDataStore")) || "";
    const trailArn = str(at(record, "responseElements", "trailARN")) || (name.startsWith("arn:") ? name : "");
    const trailName = name.startsWith("arn:") ? name.slice(name.lastIndexOf("/") + 1) : name;
    const target = eventName.includes("EventDataStore") ? "event data store" : "trail";
    const summary =
      eventName === "PutEventSelectors" || eventName === "UpdateTrail"
        ? `${quote(principalOf(record))} ${what} on ${target} ${quote(trailName || trailArn, 100)}`
        : `${quote(principalOf(record))} ${what} ${target} ${quote(trailName || trailArn, 100)}`;
    return cloudTrailDraft(envelope, {
      resource: trailArn || trailName,
      summary,
      facts: {
        eventName,
        ...(trailName ? { trailName } : {}),
        ...(trailArn ? { trailArn } : {}),
        ...(eventName === "PutEventSelectors" ? { selectors: params } : {}),
      },
    });
  },
};
