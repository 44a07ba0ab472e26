/**
 * How Riposte names the EventBridge rules it deploys: `<stage>-riposte-<name>` — each detection's
 * rule (on the default bus and on the organization bus), the read-only activity rule and the rule
 * forwarding other regions' events. The deployment builds its names from here (`infra/rules.ts`
 * `ruleName`), and the `eventbridge-rule-disabled` detection recognises them from here, for any
 * stage (a detection does not know which stages are deployed in the account).
 */

/** What follows the stage in every rule name Riposte deploys. */
export const TOOL_RULE_MARKER = "riposte-";

/**
 * Whether an EventBridge rule name is one Riposte deploys: a stage, then `-riposte-`. The stage
 * is never empty, so a name that starts with `riposte-` (no stage) is not one of them.
 */
export function isToolRuleName(name: string): boolean {
  return name.slice(1).includes(`-${TOOL_RULE_MARKER}`);
}

/** The id of the rule forwarding a watched region's events to the home region (`<stage>-riposte-forward`). */
export const FORWARD_RULE_ID = "forward";

/**
 * The id in a name Riposte deploys (what follows the stage and `-riposte-`: a detection id, or
 * `forward`); undefined for any other name.
 */
export function toolRuleId(name: string): string | undefined {
  if (!isToolRuleName(name)) return undefined;
  const marker = `-${TOOL_RULE_MARKER}`;
  return name.slice(name.indexOf(marker, 1) + marker.length) || undefined;
}
