import { type DeclaredRuleState, declaredRuleState } from "../../deployment/rules.js";
import { isToolRuleName } from "../../model/rule-names.js";
import { awsCall, liveValue } from "../aws/calls.js";
import type { ActionPlanner } from "../types.js";
import { ID_PATTERNS, notApplicable, ok, quoted, undoneEvent } from "./facts.js";

/**
 * `eventbridge-enable-rule`: enable again one of Riposte's own EventBridge rules (named
 * `<stage>-riposte-<id>`, as `core/model/rule-names.ts` defines for the deployment), on the bus
 * the event named, in the state the deployment declares it with. EnableRule sets ENABLED; a rule
 * declared ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (it reads read-only calls) can only get
 * that state back from PutRule, which replaces the whole rule: its pattern, schedule, description
 * and role are sent back as read. Other tools' rules stay notify-only: Riposte does not know
 * whether they were meant to run. A deleted rule, or removed targets, need a redeploy.
 */

export interface RuleTarget {
  ruleName: string;
  eventBusName: string;
  region: string;
  declaredState: DeclaredRuleState;
}

/** What PutRule must send back: PutRule keeps nothing it is not given. */
export interface RuleDefinition {
  EventPattern?: string;
  ScheduleExpression?: string;
  Description?: string;
  RoleArn?: string;
}

export interface RuleState {
  /** EventBridge's `State`: DISABLED, ENABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS. */
  state: string;
  /** The rule as read (live runs only). */
  definition?: RuleDefinition;
}

const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const BUS_NAME = /^[/.\-_A-Za-z0-9]{1,256}$/;
const REDEPLOY = "deploy Riposte's stacks again (riposte deploy) to restore it";
const LIMITS = {
  DeleteRule: `the rule was deleted: EnableRule cannot bring it back; ${REDEPLOY}`,
  RemoveTargets: `targets were removed from the rule: EnableRule does not restore them; ${REDEPLOY}`,
};

/** Whether `state` is (at least) the declared one: a rule given read-only events too delivers all it needs. */
export function holdsDeclaredState(state: string, declared: DeclaredRuleState): boolean {
  return state === declared || (declared === "ENABLED" && state === "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS");
}

export const enableRulePlanner: ActionPlanner<RuleTarget, RuleState> = {
  id: "eventbridge-enable-rule",
  description:
    "Enable Riposte's own disabled EventBridge rule again, in the state it is deployed with (EnableRule, or PutRule for a rule that reads read-only calls).",
  permissions: ["events:DescribeRule", "events:ListTagsForResource", "events:EnableRule", "events:PutRule"],
  destructive: false,
  resolve(incident, config) {
    const undone = undoneEvent(incident.facts, ["DisableRule"], LIMITS, "EnableRule");
    if (!undone.ok) return undone;
    const { ruleName } = incident.facts;
    if (typeof ruleName !== "string" || !RULE_NAME.test(ruleName)) {
      return notApplicable("the incident's facts name no valid EventBridge rule");
    }
    if (!isToolRuleName(ruleName)) {
      return notApplicable(
        `rule ${quoted(ruleName)} is not one of Riposte's rules (<stage>-riposte-<name>): notify only, Riposte does not know whether it was meant to run; enable it again by hand if it was`,
      );
    }
    const bus = incident.facts.eventBusName ?? "default";
    if (typeof bus !== "string" || !BUS_NAME.test(bus))
      return notApplicable("the incident's facts name no valid event bus");
    if (!ID_PATTERNS.region.test(incident.region)) return notApplicable("the incident names no valid region");
    const declaredState = declaredRuleState(config, ruleName);
    if (!declaredState) {
      return notApplicable(
        `this deployment's configuration declares no rule named ${quoted(ruleName)} (another stage's, or a detection disabled here): the state to restore is unknown; ${REDEPLOY}`,
      );
    }
    return ok({ ruleName, eventBusName: bus, region: incident.region, declaredState });
  },
  label: (target) =>
    `EventBridge rule ${target.ruleName}${target.eventBusName === "default" ? "" : ` on bus ${target.eventBusName}`} (${target.region})`,
  describe: ({ target }) =>
    target.declaredState === "ENABLED"
      ? `Enable Riposte's EventBridge rule ${target.ruleName} on bus ${target.eventBusName} in ${target.region} again. Undo: DisableRule.`
      : `Put Riposte's EventBridge rule ${target.ruleName} on bus ${target.eventBusName} in ${target.region} back in state ${target.declaredState} (it reads read-only calls): PutRule sends back the rule's pattern, schedule, description and role as read. Undo: DisableRule.`,
  assume: () => ({ state: "DISABLED" }),
  plan({ target, state }) {
    if (holdsDeclaredState(state.state, target.declaredState)) return [];
    const where = { Name: target.ruleName, EventBusName: target.eventBusName };
    if (target.declaredState === "ENABLED") return [awsCall("events", "EnableRule", where, target.region)];
    const definition = state.definition;
    return [
      awsCall(
        "events",
        "PutRule",
        {
          ...where,
          ...(definition
            ? {
                ...(definition.EventPattern !== undefined ? { EventPattern: definition.EventPattern } : {}),
                ...(definition.ScheduleExpression !== undefined
                  ? { ScheduleExpression: definition.ScheduleExpression }
                  : {}),
                ...(definition.Description !== undefined ? { Description: definition.Description } : {}),
                ...(definition.RoleArn !== undefined ? { RoleArn: definition.RoleArn } : {}),
              }
            : { EventPattern: liveValue("DescribeRule.EventPattern") }),
          State: target.declaredState,
        },
        target.region,
      ),
    ];
  },
};
