import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Finding } from "../../core/model/incident.js";
import { type FakeSlack, startFakeSlack } from "../support/fake-slack.js";
import { type MotoServer, motoAvailable, motoClientConfig, startMoto } from "../support/moto.js";
import { FINDINGS } from "./fixtures.js";
import { createWorkflowHarness } from "./harness.js";

/**
 * The network workflow live against moto (the AWS API emulator): the real handlers enrich the
 * group, revoke its world-open rule and read it back, and the emulated account shows the result.
 */

const suite = motoAvailable()
  ? "the network workflow, live against moto"
  : "the network workflow, live against moto (skipped: python3 -m moto.server is not available)";

describe.skipIf(!motoAvailable())(suite, () => {
  let moto: MotoServer;
  let ec2: EC2Client;
  let slack: FakeSlack;
  beforeAll(async () => {
    moto = await startMoto();
    ec2 = new EC2Client(motoClientConfig(moto.endpoint));
    // The handlers build their own clients from the default credential chain.
    process.env.AWS_ACCESS_KEY_ID = "testing";
    process.env.AWS_SECRET_ACCESS_KEY = "testing";
  });
  afterAll(async () => moto?.stop());
  beforeEach(async () => {
    await moto.reset();
    slack = await startFakeSlack();
  });
  afterEach(async () => slack.close());

  function harness() {
    return createWorkflowHarness({
      slack,
      mode: "live",
      aws: { region: "us-east-1", endpoint: moto.endpoint, maxAttempts: 1, forcePathStyle: true },
      config: { remediation: { verify: { attempts: 1 } } },
    });
  }

  async function openGroup(ranges: { v4?: boolean; v6?: boolean }): Promise<string> {
    const { GroupId } = await ec2.send(new CreateSecurityGroupCommand({ GroupName: "web", Description: "web tier" }));
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId,
        IpPermissions: [
          {
            IpProtocol: "tcp",
            FromPort: 22,
            ToPort: 22,
            ...(ranges.v4 ? { IpRanges: [{ CidrIp: "0.0.0.0/0" }] } : {}),
            ...(ranges.v6 ? { Ipv6Ranges: [{ CidrIpv6: "::/0" }] } : {}),
          },
          { IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
        ],
      }),
    );
    return GroupId as string;
  }

  async function ingress(groupId: string): Promise<string[]> {
    const { SecurityGroupRules } = await ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [groupId] }] }),
    );
    return (SecurityGroupRules ?? [])
      .filter((rule) => !rule.IsEgress)
      .map((rule) => `${rule.IpProtocol}/${rule.FromPort}/${rule.CidrIpv4 ?? rule.CidrIpv6}`)
      .sort();
  }

  function findingFor(groupId: string): Finding {
    const base = FINDINGS.network;
    return {
      ...base,
      resource: groupId,
      eventIds: [`evt-${groupId}`],
      facts: {
        ...base.facts,
        groupId,
        rules: [{ ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" }],
      },
    };
  }

  it("revokes the world-open SSH rule, waits for it to propagate, verifies, and ends MITIGATED", async () => {
    const groupId = await openGroup({ v4: true });
    const h = harness();

    const run = await h.run(findingFor(groupId));

    expect(run.execution.status).toBe("SUCCEEDED");
    expect(run.incident.status).toBe("MITIGATED");
    expect(run.states).toContain("Wait for the change to take effect");
    expect(run.incident.actions.map((action) => [action.mode, action.outcome])).toEqual([["live", "applied"]]);
    expect(await ingress(groupId)).toEqual(["tcp/443/0.0.0.0/0"]);
  });

  it("fails verification when SSH stays world-open over IPv6, and escalates", async () => {
    const groupId = await openGroup({ v4: true, v6: true });
    const h = harness();

    const run = await h.run(findingFor(groupId));

    expect(run.execution).toMatchObject({ status: "FAILED", error: "VerificationFailed" });
    expect(run.incident.status).toBe("FAILED");
    expect(run.incident.transitions.at(-1)?.reason).toMatch(/::\/0/);
    expect(await ingress(groupId)).toEqual(["tcp/22/::/0", "tcp/443/0.0.0.0/0"]);
  });

  it("leaves a protected group alone and only notifies", async () => {
    const groupId = await openGroup({ v4: true });
    await ec2.send(new CreateTagsCommand({ Resources: [groupId], Tags: [{ Key: "riposte:protect", Value: "true" }] }));
    const h = harness();

    const run = await h.run(findingFor(groupId));

    expect(run.incident.status).toBe("NOTIFIED");
    expect(run.incident.transitions.at(-1)?.reason).toMatch(/protect/);
    expect(await ingress(groupId)).toContain("tcp/22/0.0.0.0/0");
  });
});
