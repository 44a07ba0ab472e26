import { awsCall } from "../aws/calls.js";
import type { ActionPlanner } from "../types.js";
import { eventNameOf, ID_PATTERNS, notApplicable, ok, quoted, undoneEvent } from "./facts.js";

/**
 * `securityhub-enable`: undo securityhub-disabled. After DisableSecurityHub: EnableSecurityHub
 * EnableDefaultStandards=false, so nothing the account did not have is switched on (the event
 * does not say which standards were enabled before: people re-enable those). After
 * BatchDisableStandards: BatchEnableStandards for exactly the standards whose subscriptions the
 * event disabled (and EnableSecurityHub first, should the hub have been disabled since).
 *
 * A standards subscription ARN embeds its standard's path
 * (`arn:aws:securityhub:<region>:<account>:subscription/<standard>/v/<version>`); the standard's
 * ARN is `arn:aws:securityhub:<region>::standards/<standard>/v/<version>`, except CIS 1.2.0,
 * which is global: `arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0`.
 */

export interface SecurityHubTarget {
  region: string;
  /** The hub's ARN (its tags are read for the guardrails). */
  hubArn: string;
  /** The standards to enable again: none after DisableSecurityHub. */
  standardsArns: string[];
}

export interface SecurityHubState {
  hubEnabled: boolean;
  /** The standards the hub has subscribed (READY, PENDING or INCOMPLETE). */
  enabledStandards: string[];
}

const SUBSCRIPTION =
  /^arn:(aws[a-z-]*):securityhub:([a-z]{2}(?:-[a-z]+)+-\d+):(\d{12}):subscription\/([a-z0-9]+(?:-[a-z0-9]+)*\/v\/\d+(?:\.\d+){0,3})$/;
/** The one standard whose ARN is a global `ruleset` rather than a regional `standards` ARN. */
const RULESET_STANDARDS = new Set(["cis-aws-foundations-benchmark/v/1.2.0"]);
/** AWS accepts at most 25 standards in one BatchEnableStandards. */
const MAX_BATCH = 25;

/** The standard's ARN of a standards subscription ARN in `account` and `region`; undefined for anything else. */
export function standardOfSubscription(subscriptionArn: unknown, account: string, region: string): string | undefined {
  if (typeof subscriptionArn !== "string") return undefined;
  const parsed = SUBSCRIPTION.exec(subscriptionArn);
  if (!parsed || parsed[2] !== region || parsed[3] !== account) return undefined;
  const [, partition, , , path] = parsed;
  return RULESET_STANDARDS.has(path!)
    ? `arn:${partition}:securityhub:::ruleset/${path}`
    : `arn:${partition}:securityhub:${region}::standards/${path}`;
}

export const enableSecurityHubPlanner: ActionPlanner<SecurityHubTarget, SecurityHubState> = {
  id: "securityhub-enable",
  description:
    "Enable Security Hub again without default standards (EnableSecurityHub), and re-enable exactly the standards that were disabled (BatchEnableStandards).",
  permissions: [
    "securityhub:DescribeHub",
    "securityhub:GetEnabledStandards",
    "securityhub:ListTagsForResource",
    "securityhub:EnableSecurityHub",
    "securityhub:BatchEnableStandards",
  ],
  destructive: false,
  resolve(incident) {
    const undone = undoneEvent(
      incident.facts,
      ["DisableSecurityHub", "BatchDisableStandards"],
      {},
      "EnableSecurityHub / BatchEnableStandards",
    );
    if (!undone.ok) return undone;
    const { region, account } = incident;
    if (!ID_PATTERNS.region.test(region)) return notApplicable("the incident names no valid region");
    if (!ID_PATTERNS.account.test(account)) return notApplicable("the incident names no valid account");
    const hubArn = `arn:aws:securityhub:${region}:${account}:hub/default`;
    if (eventNameOf(incident.facts) === "DisableSecurityHub") return ok({ region, hubArn, standardsArns: [] });
    const subscriptions = Array.isArray(incident.facts.standardsSubscriptionArns)
      ? incident.facts.standardsSubscriptionArns
      : [];
    const standardsArns: string[] = [];
    for (const subscription of subscriptions) {
      const standard = standardOfSubscription(subscription, account, region);
      if (!standard) {
        return notApplicable(
          `${typeof subscription === "string" ? quoted(subscription) : "a value"} is no standards subscription of this account and region: review the disabled standards by hand`,
        );
      }
      if (!standardsArns.includes(standard)) standardsArns.push(standard);
    }
    if (standardsArns.length === 0)
      return notApplicable("the incident's facts name no disabled standards subscription");
    if (standardsArns.length > MAX_BATCH) {
      return notApplicable(`${standardsArns.length} standards were disabled: more than one BatchEnableStandards takes`);
    }
    return ok({ region, hubArn, standardsArns });
  },
  label: (target) => `Security Hub (${target.region})`,
  describe: ({ target }) =>
    target.standardsArns.length === 0
      ? `Enable Security Hub in ${target.region} again, without its default standards. The event does not say which standards were enabled before: enable them again by hand. Undo: DisableSecurityHub.`
      : `Enable again in ${target.region} the Security Hub standards that were disabled: ${target.standardsArns.join(", ")}. Undo: BatchDisableStandards.`,
  assume: ({ incident }) => ({
    hubEnabled: eventNameOf(incident.facts) !== "DisableSecurityHub",
    enabledStandards: [],
  }),
  plan({ target, state }) {
    const calls = [];
    if (!state.hubEnabled) {
      calls.push(awsCall("securityhub", "EnableSecurityHub", { EnableDefaultStandards: false }, target.region));
    }
    const missing = target.standardsArns.filter((arn) => !state.enabledStandards.includes(arn));
    if (missing.length > 0) {
      calls.push(
        awsCall(
          "securityhub",
          "BatchEnableStandards",
          { StandardsSubscriptionRequests: missing.map((StandardsArn) => ({ StandardsArn })) },
          target.region,
        ),
      );
    }
    return calls;
  },
};
