import { request } from "../declare.js";
import { type Json, list, str } from "../record.js";

/**
 * Reading IAM calls that act on a user, role or group (Attach…Policy, Put…Policy, role trust):
 * which identity the call named.
 */

export type IamEntityKind = "user" | "role" | "group";

/** The identity an IAM call acts on, from its eventName (`AttachRolePolicy` → role) and request. */
export interface IamTarget {
  kind: IamEntityKind;
  /** The request's `userName` / `roleName` / `groupName` ("" when the record does not give it). */
  name: string;
  /**
   * The fact key the name goes under: `targetUserName`, `targetRoleName` or `targetGroupName`
   * (`userName` and `roleName` name the actor, as in every finding: loop prevention reads them).
   */
  key: "targetUserName" | "targetRoleName" | "targetGroupName";
}

const KINDS: Record<string, IamEntityKind> = { User: "user", Role: "role", Group: "group" };

/** The entity an `<Verb><User|Role|Group>Policy` call names. */
export function iamTarget(record: Json): IamTarget | undefined {
  const kind = KINDS[/^(?:Attach|Put)(User|Role|Group)Policy$/.exec(str(record.eventName))?.[1] ?? ""];
  if (!kind) return undefined;
  const requestKey = `${kind}Name`;
  const key = `target${requestKey[0]!.toUpperCase()}${requestKey.slice(1)}` as IamTarget["key"];
  return { kind, name: str(request(record, requestKey)), key };
}

/** The strings of a policy element that may be one string or a list (other entries ignored). */
export const strings = (value: unknown): string[] =>
  list(value).filter((entry): entry is string => typeof entry === "string");

/**
 * IAM's wildcard match (`*` any run, `?` one character), case-insensitive as IAM matches action
 * names. A two-pointer match, not a regular expression: patterns are attacker text, and a run of
 * `*` must not cost exponential backtracking.
 */
export function actionMatches(pattern: string, action: string): boolean {
  const p = pattern.toLowerCase();
  const a = action.toLowerCase();
  let pi = 0;
  let ai = 0;
  let star = -1;
  let resume = 0;
  while (ai < a.length) {
    if (pi < p.length && (p[pi] === "?" || p[pi] === a[ai])) {
      pi++;
      ai++;
    } else if (pi < p.length && p[pi] === "*") {
      star = pi++;
      resume = ai;
    } else if (star >= 0) {
      pi = star + 1;
      ai = ++resume;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === "*") pi++;
  return pi === p.length;
}
