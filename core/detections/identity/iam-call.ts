import { request } from "../declare.js";
import { type Json, str } from "../record.js";

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

// Moved to the risk model (one reading for detections and remediation); re-exported for callers here.
export { actionMatches, strings } from "../../risk/identity-policy.js";
