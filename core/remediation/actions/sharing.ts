import type { Resolution } from "../types.js";
import { ID_PATTERNS, notApplicable, ok } from "./facts.js";

/**
 * What a sharing detection says was added to a snapshot or an image (the public group `all`,
 * foreign account ids), and what of it is still there: the sharing actions remove exactly that,
 * never a share that was there before the event.
 */

export interface AddedShares {
  /** `all` when the resource was made public. */
  groups: string[];
  /** Account ids it was shared with. */
  userIds: string[];
}

/** The shares named by the facts' `addedGroups` and `addedUserIds`, or why there are none. */
export function readAddedShares(facts: Record<string, unknown>): Resolution<AddedShares> {
  const list = (value: unknown) =>
    Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  const groups = [...new Set(list(facts.addedGroups).filter((group) => group === "all"))];
  const userIds = [...new Set(list(facts.addedUserIds).filter((id) => ID_PATTERNS.account.test(id)))];
  if (groups.length === 0 && userIds.length === 0) return notApplicable("the incident's facts name no added share");
  return ok({ groups, userIds });
}

/** The added shares still present in `current` (what is left to remove). */
export function remainingShares(added: AddedShares, current: AddedShares): AddedShares {
  return {
    groups: added.groups.filter((group) => current.groups.includes(group)),
    userIds: added.userIds.filter((id) => current.userIds.includes(id)),
  };
}

export function noShares(shares: AddedShares): boolean {
  return shares.groups.length === 0 && shares.userIds.length === 0;
}

/** "everyone (group all) and accounts 1, 2", for people. */
export function describeShares(shares: AddedShares): string {
  const parts = [
    ...(shares.groups.includes("all") ? ["everyone (group all)"] : []),
    ...(shares.userIds.length > 0
      ? [`${shares.userIds.length === 1 ? "account" : "accounts"} ${shares.userIds.join(", ")}`]
      : []),
  ];
  return parts.length > 0 ? parts.join(" and ") : "no one";
}

/** The shares of `permissions` (EC2's `{ Group, UserId }` entries). */
export function sharesOf(permissions: readonly { Group?: string; UserId?: string }[] | undefined): AddedShares {
  const entries = permissions ?? [];
  return {
    groups: entries.flatMap((entry) => (entry.Group ? [entry.Group] : [])),
    userIds: entries.flatMap((entry) => (entry.UserId ? [entry.UserId] : [])),
  };
}
