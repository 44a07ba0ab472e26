import { declareDetection, request, response } from "../declare.js";
import { identityFacts, isObject, type Json, principalOf, quote, str } from "../record.js";

const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[^\s]+$/;

/**
 * The key's ARN: the request's `keyId` may be a key id, a key ARN, an alias name or an alias
 * ARN; the response (ScheduleKeyDeletion, and DisableKey in recent records) and the record's
 * `resources` give the key's ARN. The request's value when nothing names an ARN.
 */
export function keyArnOf(record: Json): string {
  const answered = str(response(record, "keyId"));
  if (KEY_ARN.test(answered)) return answered;
  const resources = Array.isArray(record.resources) ? record.resources : [];
  for (const resource of resources) {
    const arn = isObject(resource) ? str(resource.ARN) : "";
    if (KEY_ARN.test(arn)) return arn;
  }
  return str(request(record, "keyId"));
}

export const kmsKeyDeletion = declareDetection({
  id: "kms-key-deletion",
  title: "KMS key scheduled for deletion or disabled",
  category: "storage",
  severity: "high",
  attack: { id: "T1485", name: "Data Destruction" },
  asff: ["Effects/Data Destruction", "Effects/Denial of Service"],
  description:
    "kms:ScheduleKeyDeletion (the key is deleted after a 7 to 30 day waiting period) or kms:DisableKey succeeded.",
  why: "Everything encrypted under a deleted key — EBS volumes, S3 objects, RDS databases, secrets — is lost for good; a disabled key stops every service that decrypts with it at once. Scheduling deletion is a known way to destroy or ransom data without touching it.",
  tuning:
    "Planned key retirement fires too: acknowledge it, or turn the detection off where keys are retired routinely (`detections.kms-key-deletion.enabled: false`). The waiting period leaves time to call CancelKeyDeletion; the key then stays disabled until EnableKey.",
  response: { mode: "auto", action: "kms-restore-key" },
  calls: [{ source: "aws.kms", names: ["ScheduleKeyDeletion", "DisableKey"] }],
  match: (record) => {
    const eventName = str(record.eventName);
    const keyId = keyArnOf(record);
    const key = quote(keyId || "unknown", 120);
    const actor = quote(principalOf(record));
    if (eventName === "DisableKey") {
      return {
        resource: keyId,
        summary: `${actor} disabled KMS key ${key}`,
        facts: { eventName, ...identityFacts(record), keyId },
      };
    }
    const deletionDate = str(response(record, "deletionDate"));
    const days = request(record, "pendingWindowInDays");
    const pendingWindowInDays = typeof days === "number" ? days : undefined;
    const keyState = str(response(record, "keyState"));
    const when = deletionDate ? ` (deleted on ${quote(deletionDate, 40)})` : "";
    return {
      resource: keyId,
      summary: `${actor} scheduled KMS key ${key} for deletion${when}`,
      facts: {
        eventName,
        ...identityFacts(record),
        keyId,
        ...(deletionDate ? { deletionDate } : {}),
        ...(pendingWindowInDays === undefined ? {} : { pendingWindowInDays }),
        ...(keyState ? { keyState } : {}),
      },
    };
  },
});
