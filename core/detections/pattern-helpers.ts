import type { RiposteConfig } from "../config/schema.js";
import { copyJson } from "../patterns/copy-json.js";
import type { EventPattern } from "./types.js";

/**
 * Building blocks for detection patterns. Every pattern a detection fires on carries the loop
 * prevention clause: events made by Riposte's own role (the IAM role name starts with
 * `config.protection.toolRolePrefix`) never match. `anything-but` does not match a missing field
 * and IAM users and the root user have no session issuer, so the clause is an `$or` of "no
 * issuer" and "an issuer whose name does not start with the prefix".
 */

export function loopPrevention(config: RiposteConfig): EventPattern {
  const prefix = config.protection.toolRolePrefix;
  return {
    detail: {
      userIdentity: {
        $or: [
          { sessionContext: { sessionIssuer: { userName: [{ exists: false }] } } },
          { sessionContext: { sessionIssuer: { userName: [{ "anything-but": { prefix } }] } } },
        ],
      },
    },
  };
}

/** The same clause for GuardDuty findings, on the access key's user. */
export function guardDutyLoopPrevention(config: RiposteConfig): EventPattern {
  const prefix = config.protection.toolRolePrefix;
  return {
    detail: {
      resource: {
        $or: [
          { accessKeyDetails: { userName: [{ exists: false }] } },
          { accessKeyDetails: { userName: [{ "anything-but": { prefix } }] } },
        ],
      },
    },
  };
}

/** CloudTrail API calls of one service (`aws.ec2`…) named `eventNames`, plus `detail` conditions. */
export function apiCalls(source: string, eventNames: readonly string[], detail: EventPattern = {}): EventPattern {
  return {
    source: [source],
    "detail-type": ["AWS API Call via CloudTrail"],
    detail: { eventSource: [`${source.slice(4)}.amazonaws.com`], eventName: [...eventNames], ...detail },
  };
}

/** Only calls that succeeded (CloudTrail sets `errorCode` on failures). */
export const NO_ERROR: EventPattern = { errorCode: [{ exists: false }] };

/** Deep merge of patterns; two leaves or two `$or`s at the same place are a programming error. */
export function mergePatterns(...patterns: EventPattern[]): EventPattern {
  const result: EventPattern = {};
  for (const pattern of patterns) mergeInto(result, pattern, "");
  return result;
}

function mergeInto(target: EventPattern, source: EventPattern, path: string): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (existing === undefined) {
      target[key] = copyJson(value);
    } else if (isPlain(existing) && isPlain(value)) {
      mergeInto(existing, value, `${path}${key}.`);
    } else {
      throw new Error(`cannot merge patterns: both constrain ${path}${key}`);
    }
  }
}

const isPlain = (value: unknown): value is EventPattern =>
  typeof value === "object" && value !== null && !Array.isArray(value);
