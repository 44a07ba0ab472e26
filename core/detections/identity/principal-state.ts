import type { RiposteConfig } from "../../config/schema.js";
import { accountOf, at, type Json, principalOf, str } from "../record.js";
import type { CorrelationContext } from "../types.js";

/** What the identity correlators share: the sign-in patterns, whose state it is, the baselines. */

export const SIGN_IN = "AWS Console Sign In via CloudTrail";
export const API_CALL = "AWS API Call via CloudTrail";
export const DAY = 24 * 60 * 60 * 1000;

export const consoleLogins = (result: "Success" | "Failure") => ({
  source: ["aws.signin"],
  "detail-type": [SIGN_IN],
  detail: {
    eventSource: ["signin.amazonaws.com"],
    eventName: ["ConsoleLogin"],
    responseElements: { ConsoleLogin: [result] },
  },
});

/** Whose state it is: the account and the principal (its ARN, or the user name when there is none). */
export function principalStateKey(account: string, principal: string): string {
  return `${account}|${principal}`;
}

export function principalKey(record: Json): string {
  return principalStateKey(accountOf(record), principalOf(record) || str(at(record, "userIdentity", "userName")));
}

/**
 * The baseline of a principal's successful console sign-ins (`principalStateKey`): a set of the
 * addresses or user agents seen, kept `thresholds.baseline.days`. Enrichment reads it too.
 */
export function signInBaselineKey(which: "ip" | "device", principal: string): string {
  return `${which}s|${principal}`;
}

export const baselineExpiry = (context: CorrelationContext) =>
  context.now + context.config.thresholds.baseline.days * DAY;
export const isTrusted = (ip: string, context: CorrelationContext) => context.isTrusted(ip);

/** The sign-in baselines: values never seen for the principal, once it has signed in before. */
export const signInBaseline = (config: RiposteConfig) => ({
  lookbackDays: config.thresholds.baseline.days,
  learningDays: 0,
});
