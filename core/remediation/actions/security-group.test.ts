import {
  DescribeInstancesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroupRule,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { config, incident, sshOpenFacts } from "../../../test/remediation/fixtures.js";
import { mockAws, runPlanned } from "../../../test/remediation/mock-aws.js";
import { silentLogger } from "../../log.js";
import { createAwsGateway } from "../aws/gateway.js";
import { revokeSgRules } from "./security-group.js";

const GROUP = "sg-0123456789abcdef0";
const aws = mockAws();
afterAll(() => aws.restore());

const rule = (id: string, port: number, cidr: string, extra: Partial<SecurityGroupRule> = {}): SecurityGroupRule => ({
  SecurityGroupRuleId: id,
  GroupId: GROUP,
  IsEgress: false,
  IpProtocol: "tcp",
  FromPort: port,
  ToPort: port,
  ...(cidr.includes(":") ? { CidrIpv6: cidr } : { CidrIpv4: cidr }),
  ...extra,
});

const sshWorld = rule("sgr-00000000000000001", 22, "0.0.0.0/0");
const httpsWorld = rule("sgr-00000000000000002", 443, "0.0.0.0/0");
const sshOffice = rule("sgr-00000000000000003", 22, "10.0.0.0/8");

function groupHas(rulesBefore: SecurityGroupRule[], rulesAfter = rulesBefore, tags: Record<string, string> = {}) {
  aws.ec2.on(DescribeSecurityGroupsCommand).resolves({
    SecurityGroups: [{ GroupId: GROUP, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }],
  });
  aws.ec2
    .on(DescribeSecurityGroupRulesCommand)
    .resolvesOnce({ SecurityGroupRules: rulesBefore })
    .resolves({ SecurityGroupRules: rulesAfter });
}

describe("revoke-sg-rules", () => {
  beforeEach(() => aws.reset());
  const sgIncident = incident("sg-ssh-open-world", sshOpenFacts());

  it("revokes exactly the offending rule by its live id and keeps the snapshots", async () => {
    groupHas([sshWorld, httpsWorld, sshOffice], [httpsWorld, sshOffice]);
    aws.ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });

    const { applied } = await runPlanned(sgIncident, config());

    expect(aws.inputs("RevokeSecurityGroupIngressCommand")).toEqual([
      { GroupId: GROUP, SecurityGroupRuleIds: ["sgr-00000000000000001"] },
    ]);
    expect(aws.inputs("DescribeSecurityGroupRulesCommand")[0]).toEqual({
      Filters: [{ Name: "group-id", Values: [GROUP] }],
    });
    expect(applied.outcome).toBe("applied");
    expect(applied.before).toMatchObject({
      source: "live",
      state: {
        groups: [{ rules: expect.arrayContaining([expect.objectContaining({ ruleId: "sgr-00000000000000001" })]) }],
      },
    });
    expect((applied.after as { state: { groups: { rules: unknown[] }[] } }).state.groups[0]?.rules).toHaveLength(2);
  });

  it("revokes by exact IpPermissions when the live rule has no id", async () => {
    const { SecurityGroupRuleId: _id, ...withoutId } = sshWorld;
    groupHas([withoutId, httpsWorld], [httpsWorld]);
    aws.ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });

    await runPlanned(sgIncident, config());

    expect(aws.inputs("RevokeSecurityGroupIngressCommand")).toEqual([
      {
        GroupId: GROUP,
        IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
      },
    ]);
  });

  it("is already done when the rule is gone, and sends no change", async () => {
    groupHas([httpsWorld, sshOffice]);

    const { applied } = await runPlanned(sgIncident, config());

    expect(applied).toMatchObject({ outcome: "already-done", calls: [] });
    expect(aws.inputs("RevokeSecurityGroupIngressCommand")).toEqual([]);
  });

  it("re-reads when the rule vanishes between read and revoke", async () => {
    groupHas([sshWorld], []);
    aws.ec2
      .on(RevokeSecurityGroupIngressCommand)
      .rejects(Object.assign(new Error("rule not found"), { name: "InvalidSecurityGroupRuleId.NotFound" }));

    const { applied } = await runPlanned(sgIncident, config());

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("RevokeSecurityGroupIngressCommand")).toHaveLength(1);
  });

  it("counts a deleted group as already gone", async () => {
    aws.ec2
      .on(DescribeSecurityGroupsCommand)
      .rejects(Object.assign(new Error("no such group"), { name: "InvalidGroup.NotFound" }));

    const { applied } = await runPlanned(sgIncident, config());

    expect(applied).toMatchObject({ outcome: "gone", before: { gone: expect.stringContaining(GROUP) } });
  });

  it("never changes a group tagged riposte:protect=true", async () => {
    groupHas([sshWorld], [sshWorld], { "riposte:protect": "true" });

    const { applied } = await runPlanned(sgIncident, config());

    expect(applied).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/protected/) });
    expect(aws.inputs("RevokeSecurityGroupIngressCommand")).toEqual([]);
  });

  it("changes a production-tagged group only after approval", async () => {
    groupHas([sshWorld], [sshWorld], { Environment: "production" });
    aws.ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });

    const automatic = await runPlanned(sgIncident, config());
    const approved = await runPlanned(sgIncident, config(), { approved: true });

    expect(automatic.applied).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/production-tagged/) });
    expect(approved.applied.outcome).toBe("applied");
    expect(aws.inputs("RevokeSecurityGroupIngressCommand")).toHaveLength(1);
  });

  it("sends nothing in dry-run and records the exact call from the facts", async () => {
    const { applied } = await runPlanned(
      incident("sg-ssh-open-world", sshOpenFacts("sgr-0abc0abc0abc0abc0")),
      config(),
      {
        mode: "dry-run",
      },
    );

    expect(aws.sent()).toEqual([]);
    expect(applied).toMatchObject({
      outcome: "dry-run",
      mode: "dry-run",
      calls: [
        {
          operation: "RevokeSecurityGroupIngress",
          params: { GroupId: GROUP, SecurityGroupRuleIds: ["sgr-0abc0abc0abc0abc0"] },
        },
      ],
    });
  });

  it("revokes a group's world-open risky rules when the event names the group only (AWS Config)", async () => {
    groupHas([sshWorld, httpsWorld, sshOffice, rule("sgr-00000000000000004", 5432, "::/0")], [httpsWorld, sshOffice]);
    aws.ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
    const config_ = incident("config-sg-open-to-world", { groupId: GROUP, rules: [], describeRules: true });

    const { planned } = await runPlanned(config_, config());

    expect(planned.target).toBe(`${GROUP} (world-open risky ports)`);
    expect(aws.inputs("RevokeSecurityGroupIngressCommand")).toEqual([
      { GroupId: GROUP, SecurityGroupRuleIds: ["sgr-00000000000000001", "sgr-00000000000000004"] },
    ]);
  });

  it("revokes the world-open rules on the probed port of an instance's groups", async () => {
    aws.ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [{ InstanceId: "i-0123456789abcdef0", SecurityGroups: [{ GroupId: GROUP }] }] }],
    });
    groupHas([sshWorld, httpsWorld, rule("sgr-00000000000000004", 3389, "0.0.0.0/0")], [httpsWorld]);
    aws.ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
    const probe = incident("guardduty-finding", {
      findingId: "f",
      findingType: "Recon:EC2/PortProbeUnprotectedPort",
      instanceId: "i-0123456789abcdef0",
      ports: [22],
    });

    await runPlanned(probe, config());

    expect(aws.inputs("RevokeSecurityGroupIngressCommand")).toEqual([
      { GroupId: GROUP, SecurityGroupRuleIds: ["sgr-00000000000000001"] },
    ]);
  });
});

describe("revoke-sg-rules verify", () => {
  beforeEach(() => aws.reset());
  const gateway = () => createAwsGateway({ aws: { maxAttempts: 1 }, region: "us-east-1", logger: silentLogger });
  const ctx = () => ({
    config: config(),
    now: new Date(),
    incident: incident("sg-ssh-open-world", sshOpenFacts()),
    target: {
      kind: "rules" as const,
      groupId: GROUP,
      rules: [{ ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" }],
    },
    aws: gateway(),
    logger: silentLogger,
  });

  it("passes when the rule is gone and no risky port is world-open", async () => {
    groupHas([httpsWorld, sshOffice]);

    const checks = await revokeSgRules.verify(ctx());

    expect(checks.map((c) => c.ok)).toEqual([true, true]);
  });

  it("fails while the offending rule is still there", async () => {
    groupHas([sshWorld]);

    const checks = await revokeSgRules.verify(ctx());

    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      ["offending rules revoked", false],
      ["no world-open rule on a risky port", false],
    ]);
  });

  it("fails on an IPv6 world-open rule on another risky port", async () => {
    groupHas([rule("sgr-00000000000000005", 5432, "::/0")]);

    const checks = await revokeSgRules.verify(ctx());

    expect(checks[1]).toMatchObject({ ok: false, detail: expect.stringContaining("tcp 5432 from ::/0") });
  });
});
