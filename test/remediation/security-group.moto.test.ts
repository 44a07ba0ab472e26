import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type MotoServer, motoAvailable, motoClientConfig, startMoto } from "../support/moto.js";
import { config, incident, REGION } from "./fixtures.js";
import { motoGateway, motoSuite, runEndToEnd, taskDeps } from "./harness.js";

describe.skipIf(!motoAvailable())(motoSuite("revoke-sg-rules"), () => {
  let moto: MotoServer;
  let ec2: EC2Client;
  beforeAll(async () => {
    moto = await startMoto();
    ec2 = new EC2Client(motoClientConfig(moto.endpoint, REGION));
  });
  beforeEach(async () => moto.reset());
  afterAll(async () => moto?.stop());

  async function groupWithRules() {
    const { GroupId } = await ec2.send(new CreateSecurityGroupCommand({ GroupName: "web", Description: "web tier" }));
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
          { IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
          { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.0.0/8" }] },
        ],
      }),
    );
    return GroupId as string;
  }

  async function ingress(groupId: string) {
    const { SecurityGroupRules } = await ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [groupId] }] }),
    );
    return (SecurityGroupRules ?? [])
      .filter((r) => !r.IsEgress)
      .map((r) => `${r.IpProtocol}/${r.FromPort}/${r.CidrIpv4}`)
      .sort();
  }

  it("revokes exactly the world-open SSH rule and proves it", async () => {
    const groupId = await groupWithRules();
    const facts = { groupId, rules: [{ ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" }] };
    const deps = taskDeps(config());

    const result = await runEndToEnd(incident("sg-ssh-open-world", facts), deps, motoGateway(moto.endpoint));

    expect(result.actions.map((a) => a.outcome)).toEqual(["applied"]);
    expect(result.actions[0]?.calls).toEqual([
      expect.objectContaining({
        operation: "RevokeSecurityGroupIngress",
        params: { GroupId: groupId, SecurityGroupRuleIds: [expect.stringMatching(/^sgr-/)] },
      }),
    ]);
    expect(result.verification.verified).toBe(true);
    expect(await ingress(groupId)).toEqual(["tcp/22/10.0.0.0/8", "tcp/443/0.0.0.0/0"]);
    expect(result.stored.status).toBe("PROCESSING");
    expect(result.stored.actions).toHaveLength(1);
  });

  it("is already done the second time, without a second change", async () => {
    const groupId = await groupWithRules();
    const facts = { groupId, rules: [{ ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" }] };
    const gateway = motoGateway(moto.endpoint);
    await runEndToEnd(incident("sg-ssh-open-world", facts), taskDeps(config()), gateway);

    const again = await runEndToEnd(incident("sg-ssh-open-world", facts), taskDeps(config()), gateway);

    expect(again.actions.map((a) => [a.outcome, a.calls.length])).toEqual([["already-done", 0]]);
    expect(again.verification.verified).toBe(true);
  });

  it("never touches a group carrying the protection tag", async () => {
    const groupId = await groupWithRules();
    await ec2.send(new CreateTagsCommand({ Resources: [groupId], Tags: [{ Key: "riposte:protect", Value: "true" }] }));
    const facts = { groupId, rules: [{ ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" }] };

    const result = await runEndToEnd(
      incident("sg-ssh-open-world", facts),
      taskDeps(config()),
      motoGateway(moto.endpoint),
    );

    expect(result.actions[0]).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/protected/) });
    expect(result.verification.verified).toBe(false);
    expect(await ingress(groupId)).toContain("tcp/22/0.0.0.0/0");
  });

  it("reports a vanished group as already gone", async () => {
    const facts = {
      groupId: "sg-0123456789abcdef0",
      rules: [{ ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" }],
    };

    const result = await runEndToEnd(
      incident("sg-ssh-open-world", facts),
      taskDeps(config()),
      motoGateway(moto.endpoint),
    );

    expect(result.actions.map((a) => a.outcome)).toEqual(["gone"]);
    expect(result.verification.verified).toBe(true);
  });
});

describe.skipIf(!motoAvailable())(motoSuite("revoke-sg-rules: proof and port probes"), () => {
  let moto: MotoServer;
  let ec2: EC2Client;
  beforeAll(async () => {
    moto = await startMoto();
    ec2 = new EC2Client(motoClientConfig(moto.endpoint, REGION));
  });
  afterAll(async () => moto?.stop());

  it("fails verification while another world-open risky port stays open", async () => {
    const { GroupId } = await ec2.send(new CreateSecurityGroupCommand({ GroupName: "db", Description: "db" }));
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
          { IpProtocol: "tcp", FromPort: 3389, ToPort: 3389, Ipv6Ranges: [{ CidrIpv6: "::/0" }] },
        ],
      }),
    );
    const facts = { groupId: GroupId, rules: [{ ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" }] };

    const result = await runEndToEnd(
      incident("sg-ssh-open-world", facts),
      taskDeps(config()),
      motoGateway(moto.endpoint),
    );

    expect(result.actions.map((a) => a.outcome)).toEqual(["applied"]);
    expect(result.verification.verified).toBe(false);
    expect(result.verification.checks.find((c) => !c.ok)?.detail).toMatch(/tcp 3389 from ::\/0/);
  });
});
