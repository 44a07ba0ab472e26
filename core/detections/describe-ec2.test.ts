import { DescribeNetworkInterfacesCommand, DescribeSecurityGroupsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { detect, of } from "../../test/detections/harness.js";
import { authorizeIngress, flowLine, IP } from "../../test/fixtures/events/cloudtrail.js";
import { at } from "../../test/fixtures/events/scenarios.js";
import { parseConfig } from "../config/load.js";
import { createDetectionEngine } from "../engine/engine.js";
import { normalizeRecords, parseLogText } from "../events/index.js";
import { MemoryCorrelationStore } from "../store/memory-correlation.js";
import { ec2Describer } from "./describe-ec2.js";

const ec2 = mockClient(EC2Client);
afterEach(() => ec2.reset());

describe("ec2Describer", () => {
  it("reads a group's tags and an interface's groups, and treats a vanished resource as unknown", async () => {
    ec2.on(DescribeSecurityGroupsCommand, { GroupIds: ["sg-1"] }).resolves({
      SecurityGroups: [{ GroupId: "sg-1", GroupName: "web", VpcId: "vpc-1", Tags: [{ Key: "env", Value: "prod" }] }],
    });
    ec2
      .on(DescribeSecurityGroupsCommand, { GroupIds: ["sg-gone"] })
      .rejects(Object.assign(new Error("gone"), { name: "InvalidGroup.NotFound" }));
    ec2
      .on(DescribeNetworkInterfacesCommand)
      .resolves({ NetworkInterfaces: [{ Groups: [{ GroupId: "sg-1" }], Attachment: { InstanceId: "i-1" } }] });
    const describer = ec2Describer({ region: "us-east-1" });
    const where = { region: "us-east-1", account: "123456789012" };

    expect(await describer.securityGroup!("sg-1", where)).toEqual({
      tags: { env: "prod" },
      groupName: "web",
      vpcId: "vpc-1",
    });
    expect(await describer.securityGroup!("sg-gone", where)).toBeUndefined();
    expect(await describer.networkInterface!("eni-1", where)).toEqual({ groupIds: ["sg-1"], instanceId: "i-1" });
  });

  it("lets the engine find a production group and an interface it never saw created", async () => {
    ec2
      .on(DescribeSecurityGroupsCommand)
      .resolves({ SecurityGroups: [{ GroupId: "sg-old", Tags: [{ Key: "Environment", Value: "Production" }] }] });
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [{ Groups: [{ GroupId: "sg-old" }] }] });
    const engine = createDetectionEngine({
      config: parseConfig({}),
      state: new MemoryCorrelationStore(),
      describe: ec2Describer({}),
    });
    const opened = normalizeRecords(
      authorizeIngress("sg-old", [{ from: 22, to: 22, cidrs: ["0.0.0.0/0"] }], { time: at(0) }),
    ).events[0]!;
    const flowItem = parseLogText(
      flowLine("eni-old", IP.germany, "10.0.0.9", 22, Math.floor(Date.parse(at(2)) / 1000)),
      "AWSLogs/123456789012/vpcflowlogs/us-east-1/f.log",
    )[0]!;

    const findings = [
      ...(await engine.process(opened)),
      ...("event" in flowItem ? await engine.process(flowItem.event) : []),
    ];

    expect(findings.map((finding) => finding.detection)).toEqual(
      expect.arrayContaining(["sg-ssh-open-world", "sg-prod-tag-violation", "sg-open-then-connection"]),
    );
  });

  it("without a describer, an unknown group is not production", async () => {
    const findings = await detect([authorizeIngress("sg-old", [{ from: 22, to: 22, cidrs: ["0.0.0.0/0"] }])]);

    expect(of(findings, "sg-prod-tag-violation")).toEqual([]);
  });
});
