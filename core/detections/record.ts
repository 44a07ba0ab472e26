import type { IdentityFacts } from "../model/facts.js";

/**
 * Reading CloudTrail records. Every field is attacker-controlled data: these helpers only pick
 * values out (with type checks), never interpret them as code or markup.
 */

export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export const str = (value: unknown): string => (typeof value === "string" ? value : "");

/** `value.a.b.c` for object paths; undefined when any step is missing. */
export function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** CloudTrail's `{ items: [...] }` lists (also plain arrays and `{ item: [...] }`), as an array. */
export function items(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isObject(value)) {
    if (Array.isArray(value.items)) return value.items;
    if (Array.isArray(value.item)) return value.item;
  }
  return [];
}

/** An array, a single value as a one-element array, nothing as empty. */
export function list(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value === undefined || value === null ? [] : [value];
}

/** Whether the call succeeded (no `errorCode`, and a sign-in that did not fail). */
export function succeeded(record: Json): boolean {
  if (record.errorCode !== undefined && record.errorCode !== null && record.errorCode !== "") return false;
  // Sign-in events report failure in responseElements (`ConsoleLogin`, `PasswordUpdated`,
  // `ExternalIdPDirectoryLogin`…: "Failure") rather than with an errorCode.
  const response = record.responseElements;
  if (isObject(response) && Object.values(response).some((value) => value === "Failure")) return false;
  return true;
}

export function identityOf(record: Json): Json {
  return isObject(record.userIdentity) ? record.userIdentity : {};
}

/** The acting principal's ARN (or the best name available; "" when unknown). */
export function principalOf(record: Json): string {
  const identity = identityOf(record);
  const arn = str(identity.arn);
  if (arn) return arn;
  const account = str(identity.accountId) || str(record.recipientAccountId);
  const type = str(identity.type);
  if (type === "Root" && account) return `arn:aws:iam::${account}:root`;
  if (type === "IAMUser" && account && str(identity.userName))
    return `arn:aws:iam::${account}:user/${str(identity.userName)}`;
  return str(identity.invokedBy) || str(identity.principalId);
}

export function accountOf(record: Json): string {
  return str(record.recipientAccountId) || str(identityOf(record).accountId);
}

/** The identity facts of the actor (and of the user the call targeted, when it names one). */
export function identityFacts(record: Json): IdentityFacts {
  const identity = identityOf(record);
  const issuer = at(identity, "sessionContext", "sessionIssuer");
  const facts: IdentityFacts = { principalType: str(identity.type) || "Unknown" };
  const arn = principalOf(record);
  if (arn) facts.principalArn = arn;
  const userName = str(identity.userName);
  if (userName) facts.userName = userName;
  const roleName = str(at(issuer, "userName"));
  if (roleName && str(identity.type) === "AssumedRole") facts.roleName = roleName;
  const key = str(identity.accessKeyId);
  if (key) facts.accessKeyId = key;
  const target = str(at(record, "requestParameters", "userName"));
  if (target) facts.targetUserName = target;
  const mfa = mfaUsed(record);
  if (mfa !== undefined) facts.mfaUsed = mfa;
  return facts;
}

export function mfaUsed(record: Json): boolean | undefined {
  const flag = at(record, "additionalEventData", "MFAUsed");
  if (flag === "Yes") return true;
  if (flag === "No") return false;
  const session = at(record, "userIdentity", "sessionContext", "attributes", "mfaAuthenticated");
  if (session === "true" || session === true) return true;
  if (session === "false" || session === false) return false;
  return undefined;
}

/** The source address and user agent, as recorded (for the finding's `sourceIp`/`userAgent`). */
export function sourceOf(record: Json): { sourceIp?: string; userAgent?: string } {
  const result: { sourceIp?: string; userAgent?: string } = {};
  const ip = str(record.sourceIPAddress);
  if (ip) result.sourceIp = ip;
  const agent = str(record.userAgent);
  if (agent) result.userAgent = agent;
  return result;
}

/** Integer from a number or numeric string (CloudTrail and its re-exports write ports both ways). */
export function int(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^-?\d+$/.test(value.trim())) return Number.parseInt(value, 10);
  return undefined;
}

/** Short, single-line text for summaries: control characters removed, long values cut. */
export function quote(value: string, max = 80): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  const clean = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, " ");
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
