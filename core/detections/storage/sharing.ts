import { accountIdIn } from "../../risk/foreign-accounts.js";
import type { MatchContext } from "../declare.js";
import { at, isObject, items, quote, str } from "../record.js";

/**
 * What a sharing call added, shared by the snapshot and image detections: the group `all`
 * (everyone) and the foreign account ids. Values are attacker-controlled text; anything that is
 * neither is ignored, never guessed.
 */

export { accountIdIn } from "../../risk/foreign-accounts.js";

/** Whether a sharing value is the public group (`all`). */
export const isEveryone = (value: unknown): boolean => str(value).trim().toLowerCase() === "all";

export interface AddedPermissions {
  /** `["all"]` when the call shared with everyone, else empty. */
  addedGroups: string[];
  /** The foreign account ids the call shared with (own and trusted accounts left out). */
  addedUserIds: string[];
}

/**
 * The grants an EC2 permission modification (`createVolumePermission`, `launchPermission`)
 * adds: CloudTrail logs `{"add": {"items": [{"group": "all"} | {"userId": "…"}]}, "remove": …}`.
 */
export function addedEc2Permissions(modifications: unknown, context: MatchContext): AddedPermissions {
  const addedGroups = new Set<string>();
  const addedUserIds = new Set<string>();
  for (const item of items(at(modifications, "add"))) {
    if (!isObject(item)) continue;
    if (isEveryone(item.group)) addedGroups.add("all");
    const account = accountIdIn(item.userId);
    if (context.isForeignAccount(account)) addedUserIds.add(account);
  }
  return { addedGroups: [...addedGroups], addedUserIds: [...addedUserIds] };
}

/** "everyone", "account 111122223333" or "accounts 111122223333, 444455556666" for summaries. */
export function audience(everyone: boolean, accounts: readonly string[]): string {
  const parts: string[] = [];
  if (everyone) parts.push("everyone");
  if (accounts.length > 0) {
    const shown = accounts.slice(0, 5).map((account) => quote(account, 20));
    const more = accounts.length > shown.length ? ` and ${accounts.length - shown.length} more` : "";
    parts.push(`${accounts.length === 1 ? "account" : "accounts"} ${shown.join(", ")}${more}`);
  }
  return parts.join(" and ");
}
