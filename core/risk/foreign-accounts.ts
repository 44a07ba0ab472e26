/**
 * Which AWS account counts as foreign: one judgement for the detections that fire on sharing or
 * replicating to another account and for the actions that undo it. Values are attacker-controlled
 * text (CloudTrail) or AWS's answer; anything that is not a 12-digit id is never an account.
 */

const ACCOUNT_ID = /^\d{12}$/;

/** An account id as written in a request or an answer (`111122223333`, a number, or with dashes as the console shows it). */
export function accountIdIn(value: unknown): string {
  const text =
    typeof value === "number" && Number.isInteger(value) ? String(value) : typeof value === "string" ? value : "";
  const compact = text.trim().replace(/-/g, "");
  return ACCOUNT_ID.test(compact) ? compact : text.trim();
}

/** Whether `account` is a 12-digit account id that is neither `own` nor one of `trusted` (`trustedAccounts`). */
export function isForeignAccount(account: string, own: string, trusted: readonly string[]): boolean {
  return ACCOUNT_ID.test(account) && account !== own && !trusted.includes(account);
}

/** `isForeignAccount` with `own` and `trusted` fixed: the test a detection's match context and a plan hold. */
export function foreignAccountTest(own: string, trusted: readonly string[]): (account: string) => boolean {
  return (account) => isForeignAccount(account, own, trusted);
}

/**
 * The foreign account a replication rule copies to (`Destination.Account`: the same keys in the
 * body CloudTrail logs for PutBucketReplication and in GetBucketReplication's answer), or
 * undefined. A rule without `Destination.Account` names no account: its bucket ARN carries none.
 */
export function foreignReplicationAccount(rule: unknown, isForeign: (account: string) => boolean): string | undefined {
  if (typeof rule !== "object" || rule === null) return undefined;
  const destination = (rule as { Destination?: unknown }).Destination;
  if (typeof destination !== "object" || destination === null) return undefined;
  const account = accountIdIn((destination as { Account?: unknown }).Account);
  return isForeign(account) ? account : undefined;
}
