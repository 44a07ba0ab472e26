import type { SecurityGroupRule } from "@aws-sdk/client-ec2";
import { riskyPorts } from "../../config/schema.js";
import { describeRule, exposesPorts } from "../../risk/sg-rules.js";
import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import { check, gone, goneOr, sendAll, tagMap } from "./live.js";
import {
  type LiveSgRule,
  matchingRules,
  revokeSgRulesPlanner,
  type SgState,
  type SgTarget,
  targetPorts,
} from "./security-group.plan.js";

/** `revoke-sg-rules`, live: read the groups' rules, revoke the matching ones, prove none is left. */

const GROUP_GONE = ["InvalidGroup.NotFound", "InvalidGroupId.NotFound"];
const INSTANCE_GONE = ["InvalidInstanceID.NotFound"];

function liveRule(rule: SecurityGroupRule): LiveSgRule {
  return {
    ...(rule.SecurityGroupRuleId ? { ruleId: rule.SecurityGroupRuleId } : {}),
    groupId: rule.GroupId ?? "",
    egress: rule.IsEgress === true,
    ipProtocol: rule.IpProtocol ?? "-1",
    ...(rule.FromPort !== undefined ? { fromPort: rule.FromPort } : {}),
    ...(rule.ToPort !== undefined ? { toPort: rule.ToPort } : {}),
    ...(rule.CidrIpv4 ? { cidrIpv4: rule.CidrIpv4 } : {}),
    ...(rule.CidrIpv6 ? { cidrIpv6: rule.CidrIpv6 } : {}),
    ...(rule.Description ? { description: rule.Description } : {}),
  };
}

/** Every rule of the groups (DescribeSecurityGroupRules, all pages). */
async function rulesOf(ctx: LiveContext<SgTarget>, groupIds: string[]): Promise<LiveSgRule[]> {
  const rules: LiveSgRule[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ctx.aws.send("ec2", "DescribeSecurityGroupRules", {
      Filters: [{ Name: "group-id", Values: groupIds }],
      ...(NextToken ? { NextToken } : {}),
    });
    rules.push(...(page.SecurityGroupRules ?? []).map(liveRule));
    NextToken = page.NextToken;
  } while (NextToken);
  return rules;
}

async function snapshot(ctx: LiveContext<SgTarget>): Promise<Snapshot<SgState>> {
  const { target } = ctx;
  const region = ctx.incident.region;
  if (target.kind !== "instance") {
    return goneOr(GROUP_GONE, `security group ${target.groupId} no longer exists`, async () => {
      const described = await ctx.aws.send("ec2", "DescribeSecurityGroups", { GroupIds: [target.groupId] }, region);
      const group = described.SecurityGroups?.[0];
      if (!group) gone(`security group ${target.groupId} no longer exists`);
      const rules = await rulesOf(ctx, [target.groupId]);
      return { state: { groups: [{ groupId: target.groupId, rules }] }, tags: [tagMap(group.Tags)] };
    });
  }
  return goneOr(INSTANCE_GONE, `instance ${target.instanceId} no longer exists`, async () => {
    const described = await ctx.aws.send("ec2", "DescribeInstances", { InstanceIds: [target.instanceId] }, region);
    const instance = described.Reservations?.flatMap((r) => r.Instances ?? []).find(
      (i) => i.InstanceId === target.instanceId,
    );
    if (!instance || instance.State?.Name === "terminated") gone(`instance ${target.instanceId} no longer exists`);
    const groupIds = (instance.SecurityGroups ?? []).map((g) => g.GroupId).filter((id): id is string => Boolean(id));
    if (groupIds.length === 0) return { state: { groups: [] }, tags: [tagMap(instance.Tags)] };
    const groups = await ctx.aws.send("ec2", "DescribeSecurityGroups", { GroupIds: groupIds }, region);
    const rules = await rulesOf(ctx, groupIds);
    return {
      state: { groups: groupIds.map((groupId) => ({ groupId, rules: rules.filter((r) => r.groupId === groupId) })) },
      tags: [tagMap(instance.Tags), ...(groups.SecurityGroups ?? []).map((g) => tagMap(g.Tags))],
    };
  });
}

export const revokeSgRules: RemediationAction<SgTarget, SgState> = {
  ...revokeSgRulesPlanner,
  errors: {
    gone: GROUP_GONE,
    // The rule was revoked in the meantime: read again.
    alreadyDone: ["InvalidPermission.NotFound", "InvalidSecurityGroupRuleId.NotFound"],
  },
  snapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await snapshot(ctx);
    if ("gone" in read) return [check("target gone", true, read.gone)];
    const ports = targetPorts(ctx.target, riskyPorts(ctx.config));
    const left = matchingRules(ctx.target, read.state, ports);
    const openRisky = (read.state.groups ?? []).flatMap((group) =>
      group.rules.filter((rule) => exposesPorts(rule, ports)),
    );
    const where = (read.state.groups ?? []).map((g) => g.groupId).join(", ") || "no group";
    return [
      check(
        "offending rules revoked",
        left.length === 0,
        left.length === 0
          ? undefined
          : `still present: ${left.map((r) => `${r.groupId} ${describeRule(r)}`).join("; ")}`,
      ),
      check(
        "no world-open rule on a risky port",
        openRisky.length === 0,
        openRisky.length === 0
          ? `checked ${where} for ports ${ports.join(", ")}`
          : `world-open: ${openRisky.map((r) => `${r.groupId} ${describeRule(r)}`).join("; ")}`,
      ),
    ];
  },
};
