import { awsCall } from "../aws/calls.js";
import { CannotPlan } from "../errors.js";
import type { ActionPlanner } from "../types.js";
import { eventNameOf, ID_PATTERNS, notApplicable, ok, undoneEvent } from "./facts.js";

/**
 * `kms-restore-key`: bring a KMS key back into use. A key scheduled for deletion gets
 * CancelKeyDeletion then EnableKey (a cancelled key is left disabled); a disabled key gets
 * EnableKey. Calls name the key by its id in the key's region (from its ARN, else the
 * incident's): none of them works across accounts, so the ARN would add nothing but its account,
 * which must be the incident's.
 */

export interface KeyTarget {
  keyId: string;
  region: string;
}

export interface KeyState {
  /** KMS's `KeyState`: Enabled, Disabled, PendingDeletion… */
  keyState: string;
}

const KEY_ID = /^(?:mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const KEY_ARN = /^arn:aws[\w-]*:kms:([a-z0-9-]+):(\d{12}):key\/([\w-]+)$/;

/** The key of `value` (a key ARN or id), its region and account; undefined for anything else (aliases included). */
export function parseKey(value: unknown, region: string): (KeyTarget & { account?: string }) | undefined {
  if (typeof value !== "string") return undefined;
  if (KEY_ID.test(value)) return { keyId: value, region };
  const arn = KEY_ARN.exec(value);
  if (arn && KEY_ID.test(arn[3]!) && ID_PATTERNS.region.test(arn[1]!))
    return { keyId: arn[3]!, region: arn[1]!, account: arn[2]! };
  return undefined;
}

const PENDING_DELETION = new Set(["PendingDeletion", "PendingReplicaDeletion"]);

export const restoreKeyPlanner: ActionPlanner<KeyTarget, KeyState> = {
  id: "kms-restore-key",
  description:
    "Cancel the KMS key's scheduled deletion and enable it again (CancelKeyDeletion leaves it disabled), or enable a disabled key.",
  permissions: ["kms:DescribeKey", "kms:ListResourceTags", "kms:CancelKeyDeletion", "kms:EnableKey"],
  destructive: false,
  resolve(incident) {
    const undone = undoneEvent(incident.facts, ["ScheduleKeyDeletion", "DisableKey"], {}, "kms-restore-key");
    if (!undone.ok) return undone;
    if (!ID_PATTERNS.region.test(incident.region)) return notApplicable("the incident names no valid region");
    const key = parseKey(incident.facts.keyId, incident.region);
    if (!key) return notApplicable("the incident's facts name no KMS key (by key id or key ARN)");
    if (key.account && key.account !== incident.account) {
      return notApplicable(`KMS key ${key.keyId} belongs to account ${key.account}, not the incident's`);
    }
    return ok({ keyId: key.keyId, region: key.region });
  },
  label: (target) => `KMS key ${target.keyId} (${target.region})`,
  describe: ({ target, incident }) =>
    eventNameOf(incident.facts) === "DisableKey"
      ? `Enable KMS key ${target.keyId} in ${target.region} again.`
      : `Cancel the scheduled deletion of KMS key ${target.keyId} in ${target.region}, then enable it again (a cancelled key is left disabled).`,
  assume: ({ incident }) => ({
    keyState: eventNameOf(incident.facts) === "DisableKey" ? "Disabled" : "PendingDeletion",
  }),
  plan({ target, state }) {
    const enable = awsCall("kms", "EnableKey", { KeyId: target.keyId }, target.region);
    if (state.keyState === "Enabled") return [];
    if (state.keyState === "Disabled") return [enable];
    if (PENDING_DELETION.has(state.keyState)) {
      return [awsCall("kms", "CancelKeyDeletion", { KeyId: target.keyId }, target.region), enable];
    }
    throw new CannotPlan(
      `KMS key ${target.keyId} is ${state.keyState}: neither CancelKeyDeletion nor EnableKey applies; check it by hand`,
    );
  },
};
