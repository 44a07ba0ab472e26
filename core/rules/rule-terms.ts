import type { RemediationActionId } from "../model/actions.js";

/**
 * What a rule may say that is checked both by validation (`format.ts`, with the schema library)
 * and by the cheaper check of a cached rule (`cached.ts`, without it): apart from both, so a run
 * whose rules all come from the cache loads no validator.
 */

/**
 * Actions a rule may name: those that act on the event's actor or source address, which every
 * rule's finding carries (principal, access key, source IP). The others need facts only the
 * built-in detections compute (the offending security group rules, the bucket's public grants).
 */
export const RULE_ACTIONS = [
  "iam-deactivate-access-key",
  "iam-revoke-sessions",
  "iam-deny-temporarily",
  "waf-block-ip",
  "nacl-deny-ip",
] as const satisfies readonly RemediationActionId[];

/**
 * The keys of a rule (`RuleSchema`'s; `cached.test.ts` keeps them equal), for the cache check.
 */
export const RULE_KEYS: ReadonlySet<string> = new Set([
  "id",
  "title",
  "category",
  "severity",
  "attack",
  "description",
  "why",
  "tuning",
  "response",
  "asff",
  "pattern",
  "condition",
  "correlation",
  "references",
  "falsePositives",
  "origin",
]);

/**
 * `source` of a rule about every AWS service. The engine indexes patterns by source and event
 * name: such a rule is tested on every event (it costs one pattern match per event).
 */
export const EVERY_AWS_SOURCE = [{ prefix: "aws." }];

/** A rule's `source`: exact `aws.` sources, or `EVERY_AWS_SOURCE`. */
export function isRuleSource(source: unknown): boolean {
  if (JSON.stringify(source) === JSON.stringify(EVERY_AWS_SOURCE)) return true;
  return (
    Array.isArray(source) &&
    source.every((value) => typeof value === "string" && value.startsWith("aws.") && value.length > 4)
  );
}
