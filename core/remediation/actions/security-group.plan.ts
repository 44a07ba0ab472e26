import { z } from "zod";
import { riskyPorts } from "../../config/schema.js";
import { type SgRule, SgRuleSchema, ThreatFactsSchema } from "../../model/facts.js";
import type { AwsCall } from "../../model/incident.js";
import { canonicalCidr, parseCidr } from "../../net/ip.js";
import { describeRule, exposesPorts, isValidProtocol, normalizeProtocol, sameRuleShape } from "../../risk/sg-rules.js";
import { awsCall, liveValue } from "../aws/calls.js";
import type { ActionPlanner, PlanContext } from "../types.js";
import { ID_PATTERNS, notApplicable, ok, portList, readFacts } from "./facts.js";

/**
 * `revoke-sg-rules`: revoke exactly the offending ingress rules of a security group — by rule id
 * when known, else by the exact IpPermissions — and nothing else. For a GuardDuty port probe the
 * target is an instance instead: the world-open rules on the probed ports of its groups.
 */

const ValidRuleSchema = SgRuleSchema.extend({
  ruleId: z.string().regex(ID_PATTERNS.securityGroupRule).optional(),
  ipProtocol: z.string().refine(isValidProtocol, "not an IP protocol"),
  fromPort: z.number().int().min(-1).max(65535).optional(),
  toPort: z.number().int().min(-1).max(65535).optional(),
  cidrIpv4: z
    .string()
    .refine((c) => parseCidr(c)?.version === 4, "not an IPv4 CIDR")
    .optional(),
  cidrIpv6: z
    .string()
    .refine((c) => parseCidr(c)?.version === 6, "not an IPv6 CIDR")
    .optional(),
}).refine((rule) => rule.ruleId || rule.cidrIpv4 || rule.cidrIpv6, "a rule needs its id or its source range");

/** An IPv6 range recorded in the IPv4 field (some log shapes do) is read as IPv6. */
function rangeInItsField(rule: unknown): unknown {
  if (typeof rule !== "object" || rule === null) return rule;
  const { cidrIpv4, cidrIpv6, ...rest } = rule as Record<string, unknown>;
  if (typeof cidrIpv4 === "string" && cidrIpv4.includes(":") && cidrIpv6 === undefined)
    return { ...rest, cidrIpv6: cidrIpv4 };
  return rule;
}

const RulesFactsSchema = z.looseObject({
  groupId: z.string().regex(ID_PATTERNS.securityGroup),
  rules: z.array(z.preprocess(rangeInItsField, ValidRuleSchema)),
  riskyPorts: z.array(z.unknown()).optional(),
});

/**
 * The offending rules of a group; or, when the event does not name them (an AWS Config
 * evaluation), the group's world-open rules on the watched ports; or those of an instance's
 * groups (a GuardDuty port probe). `ports` empty means every risky port.
 */
export type SgTarget =
  | { kind: "rules"; groupId: string; rules: SgRule[] }
  | { kind: "group"; groupId: string; ports: number[] }
  | { kind: "instance"; instanceId: string; ports: number[] };

/** A rule as EC2 describes it now. */
export interface LiveSgRule extends SgRule {
  groupId: string;
  egress: boolean;
}

/** The groups in play and their rules; `undefined` groups: not known without a live read. */
export interface SgState {
  groups?: { groupId: string; rules: LiveSgRule[] }[];
}

const PERMISSIONS = [
  "ec2:DescribeSecurityGroupRules",
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeInstances",
  "ec2:RevokeSecurityGroupIngress",
] as const;

function resolveRules(facts: unknown): ReturnType<ActionPlanner<SgTarget, SgState>["resolve"]> | undefined {
  if (typeof facts !== "object" || facts === null || !("groupId" in facts)) return undefined;
  const read = readFacts(RulesFactsSchema, facts, "a security group and its offending rules");
  if (!read.ok) return read;
  // World-open risk is judged on ingress; egress rules are evidence, never revoked here.
  const rules = read.target.rules.filter((rule) => rule.egress !== true);
  if (read.target.rules.length > 0 && rules.length === 0) {
    return notApplicable(`only egress rules are recorded for ${read.target.groupId}`);
  }
  if (rules.length === 0)
    return ok({ kind: "group", groupId: read.target.groupId, ports: portList(read.target.riskyPorts) });
  return ok({ kind: "rules", groupId: read.target.groupId, rules });
}

/** The ingress rules of `state` the target names (by id when both sides know it, else by shape). */
export function matchingRules(target: SgTarget, state: SgState, ports: readonly number[]): LiveSgRule[] {
  const groups = state.groups ?? [];
  if (target.kind !== "rules") {
    return groups.flatMap((group) => group.rules.filter((rule) => exposesPorts(rule, ports)));
  }
  const group = groups.find((g) => g.groupId === target.groupId);
  if (!group) return [];
  return group.rules.filter(
    (live) =>
      !live.egress &&
      target.rules.some((wanted) =>
        wanted.ruleId && live.ruleId
          ? wanted.ruleId === live.ruleId
          : // A shape without a source range could match rules that reference groups: never by shape.
            (wanted.cidrIpv4 !== undefined || wanted.cidrIpv6 !== undefined) && sameRuleShape(wanted, live),
      ),
  );
}

/** A CIDR as EC2 writes it (network address, compressed IPv6): `1.2.3.4/0` becomes `0.0.0.0/0`. */
function cidrText(text: string): string {
  return canonicalCidr(text) ?? text;
}

function ipPermission(rule: SgRule) {
  const protocol = normalizeProtocol(rule.ipProtocol);
  return {
    IpProtocol: protocol,
    ...(protocol === "-1" ? {} : { FromPort: rule.fromPort, ToPort: rule.toPort }),
    ...(rule.cidrIpv4 ? { IpRanges: [{ CidrIp: cidrText(rule.cidrIpv4) }] } : {}),
    ...(rule.cidrIpv6 ? { Ipv6Ranges: [{ CidrIpv6: cidrText(rule.cidrIpv6) }] } : {}),
  };
}

/** One group's revocations: rule ids where known, exact IpPermissions for the rest. */
function revokeCalls(groupId: string, rules: LiveSgRule[], region: string): AwsCall[] {
  const withIds = rules.filter((rule) => rule.ruleId).map((rule) => rule.ruleId as string);
  const withoutIds = rules.filter((rule) => !rule.ruleId);
  const calls: AwsCall[] = [];
  if (withIds.length > 0) {
    calls.push(
      awsCall("ec2", "RevokeSecurityGroupIngress", { GroupId: groupId, SecurityGroupRuleIds: withIds }, region),
    );
  }
  if (withoutIds.length > 0) {
    calls.push(
      awsCall(
        "ec2",
        "RevokeSecurityGroupIngress",
        { GroupId: groupId, IpPermissions: withoutIds.map(ipPermission) },
        region,
      ),
    );
  }
  return calls;
}

/** The ports a group or instance target watches: the named ones, else every risky port. */
export function targetPorts(target: SgTarget, configPorts: readonly number[]): number[] {
  return target.kind !== "rules" && target.ports.length > 0 ? target.ports : [...configPorts];
}

export const revokeSgRulesPlanner: ActionPlanner<SgTarget, SgState> = {
  id: "revoke-sg-rules",
  description: "Revoke exactly the offending world-open security group rules, leaving every other rule untouched.",
  permissions: PERMISSIONS,
  destructive: false,

  resolve(incident) {
    const rules = resolveRules(incident.facts);
    if (rules) return rules;
    const threat = ThreatFactsSchema.safeParse(incident.facts);
    if (threat.success && threat.data.instanceId && ID_PATTERNS.instance.test(threat.data.instanceId)) {
      const facts = threat.data as Record<string, unknown>;
      return ok({
        kind: "instance",
        instanceId: threat.data.instanceId,
        ports: portList(facts.ports ?? facts.localPorts),
      });
    }
    return notApplicable("the incident's facts name neither a security group with its rules nor an instance");
  },

  label(target) {
    if (target.kind !== "rules") {
      const ports = target.ports.length > 0 ? target.ports.join(", ") : "risky ports";
      return `${target.kind === "instance" ? target.instanceId : target.groupId} (world-open ${ports})`;
    }
    return `${target.groupId} (${target.rules.map(describeRule).join("; ")})`;
  },

  describe({ target, config }) {
    if (target.kind === "instance") {
      const ports = targetPorts(target, riskyPorts(config)).join(", ");
      return `Revoke the world-open ingress rules on ports ${ports} of the security groups of ${target.instanceId}, leaving their other rules untouched.`;
    }
    if (target.kind === "group") {
      const ports = targetPorts(target, riskyPorts(config)).join(", ");
      return `Revoke the world-open ingress rules on ports ${ports} of ${target.groupId}, leaving its other rules untouched.`;
    }
    const count = target.rules.length;
    return `Revoke ${count} ingress rule${count === 1 ? "" : "s"} on ${target.groupId} (${target.rules.map(describeRule).join("; ")}), leaving its other rules untouched.`;
  },

  assume({ target }) {
    if (target.kind !== "rules") return {};
    return {
      groups: [
        {
          groupId: target.groupId,
          rules: target.rules.map((rule) => ({ ...rule, groupId: target.groupId, egress: false })),
        },
      ],
    };
  },

  plan({ target, state, config, incident }: PlanContext<SgTarget, SgState>) {
    const region = incident.region;
    if (!state.groups) {
      // Without a live read the instance's groups and rule ids are unknown: say where they come from.
      return [
        awsCall(
          "ec2",
          "RevokeSecurityGroupIngress",
          {
            GroupId:
              target.kind === "group"
                ? target.groupId
                : liveValue(
                    `DescribeInstances(${target.kind === "instance" ? target.instanceId : "?"}).SecurityGroups`,
                  ),
            SecurityGroupRuleIds: liveValue(
              "DescribeSecurityGroupRules: world-open ingress rules on the watched ports",
            ),
          },
          region,
        ),
      ];
    }
    const matches = matchingRules(target, state, targetPorts(target, riskyPorts(config)));
    const byGroup = new Map<string, LiveSgRule[]>();
    for (const rule of matches) byGroup.set(rule.groupId, [...(byGroup.get(rule.groupId) ?? []), rule]);
    return [...byGroup].flatMap(([groupId, rules]) => revokeCalls(groupId, rules, region));
  },
};
