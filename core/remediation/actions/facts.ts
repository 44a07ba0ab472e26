import type { z } from "zod";
import type { Resolution } from "../types.js";

/**
 * Reading an incident's facts for an action: facts come from event text, so every value an
 * action puts into an AWS call or a description is validated first.
 */

/** Parse facts with a schema; the failure names the facts and the first problems. */
export function readFacts<T>(schema: z.ZodType<T>, facts: unknown, what: string): Resolution<T> {
  const parsed = schema.safeParse(facts);
  if (parsed.success) return { ok: true, target: parsed.data };
  const problems = parsed.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join(".") || "(facts)"}: ${issue.message}`)
    .join("; ");
  return { ok: false, reason: `the incident's facts do not name ${what} (${problems})` };
}

export const ok = <T>(target: T): Resolution<T> => ({ ok: true, target });
export const notApplicable = <T>(reason: string): Resolution<T> => ({ ok: false, reason });

/** AWS resource id shapes (letters and digits only), checked before an id reaches a call or a message. */
export const ID_PATTERNS = {
  securityGroup: /^sg-[0-9a-z]{1,32}$/,
  securityGroupRule: /^sgr-[0-9a-z]{1,32}$/,
  instance: /^i-[0-9a-z]{1,32}$/,
  networkAcl: /^acl-[0-9a-z]{1,32}$/,
  /** S3 bucket naming rules (general purpose buckets). */
  bucket: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  /** IAM user and role names. */
  iamName: /^[\w+=,.@-]{1,128}$/,
  accessKey: /^(AKIA|ASIA)[A-Z0-9]{12,124}$/,
  account: /^\d{12}$/,
  region: /^[a-z]{2}(-[a-z]+)+-\d+$/,
  /** CloudTrail trail names. */
  trailName: /^[A-Za-z0-9][\w.-]{2,127}$/,
  /** GuardDuty detector ids (32 lowercase hex characters in practice; AWS allows up to 300). */
  guardDutyDetector: /^[a-z0-9]{1,300}$/,
  /** AWS Config configuration recorder names (AWS allows 1 to 256 characters; no spaces or slashes here). */
  configRecorder: /^[\w.@+=,:-]{1,256}$/,
  snapshot: /^snap-[0-9a-z]{1,32}$/,
  image: /^ami-[0-9a-z]{1,32}$/,
} as const;

/** The facts' `eventName`, when it is text. */
export function eventNameOf(facts: Record<string, unknown>): string | undefined {
  return typeof facts.eventName === "string" ? facts.eventName : undefined;
}

/**
 * Whether an action undoes the event the facts name: `undoes` lists the events it reverses,
 * `limits` why it cannot reverse others (shown to people). An event the facts do not name is
 * assumed to be one it undoes; any other event is not.
 */
export function undoneEvent(
  facts: Record<string, unknown>,
  undoes: readonly string[],
  limits: Readonly<Record<string, string>>,
  action: string,
): Resolution<undefined> {
  const eventName = eventNameOf(facts);
  if (eventName === undefined || undoes.includes(eventName)) return ok(undefined);
  return notApplicable(limits[eventName] ?? `${action} does not undo ${quoted(eventName)}: review it by hand`);
}

/** A number list from facts (ports), keeping only integers in 0-65535. */
export function portList(value: unknown): number[] {
  if (!Array.isArray(value)) return [];
  return value.filter((v): v is number => Number.isInteger(v) && v >= 0 && v <= 65535);
}

/** Quote text from an event (object keys) for a description: escaped, one line, bounded. */
export function quoted(text: string, max = 120): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}
