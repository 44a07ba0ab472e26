import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import { enableRulePlanner, holdsDeclaredState, type RuleState, type RuleTarget } from "./eventbridge-rule.plan.js";
import { check, goneOr, sendAll } from "./live.js";

/**
 * `eventbridge-enable-rule`, live: the rule (state and definition) and its tags. A rule deleted
 * since is gone for the runner, and verification fails it: nothing delivers the detection's
 * events until the stacks are deployed again.
 */

const NOT_FOUND = ["ResourceNotFoundException"];

async function snapshot(ctx: LiveContext<RuleTarget>): Promise<Snapshot<RuleState>> {
  const { ruleName, eventBusName, region } = ctx.target;
  return goneOr(NOT_FOUND, `EventBridge rule ${ruleName} no longer exists: deploy Riposte's stacks again`, async () => {
    const rule = await ctx.aws.send("events", "DescribeRule", { Name: ruleName, EventBusName: eventBusName }, region);
    const tags = rule.Arn
      ? ((await ctx.aws.send("events", "ListTagsForResource", { ResourceARN: rule.Arn }, region)).Tags ?? [])
      : [];
    const map: Record<string, string> = {};
    for (const tag of tags) if (tag.Key !== undefined) map[tag.Key] = tag.Value ?? "";
    const { EventPattern, ScheduleExpression, Description, RoleArn } = rule;
    return {
      state: {
        state: rule.State ?? "unknown",
        definition: {
          ...(EventPattern ? { EventPattern } : {}),
          ...(ScheduleExpression ? { ScheduleExpression } : {}),
          ...(Description ? { Description } : {}),
          ...(RoleArn ? { RoleArn } : {}),
        },
      },
      tags: [map],
    };
  });
}

export const enableRule: RemediationAction<RuleTarget, RuleState> = {
  ...enableRulePlanner,
  errors: { gone: NOT_FOUND },
  snapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await snapshot(ctx);
    if ("gone" in read) return [check("rule exists", false, read.gone)];
    return [
      check(
        `rule ${ctx.target.ruleName} ${ctx.target.declaredState}`,
        holdsDeclaredState(read.state.state, ctx.target.declaredState),
        `State: ${read.state.state}`,
      ),
    ];
  },
};
