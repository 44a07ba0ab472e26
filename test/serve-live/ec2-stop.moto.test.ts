import { DescribeInstancesCommand, EC2Client, RegisterImageCommand, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NETWORK_SCENARIOS } from "../fixtures/events/scenarios/network.js";
import { motoSuite } from "../remediation/harness.js";
import { motoAvailable } from "../support/moto.js";
import { type ServeLive, SUITE_OPTIONS, scenarioRecords, startServeLive } from "./serve.js";

/**
 * EC2 stop, end to end: a GPU instance launched in the emulated account (and another instance
 * beside it), the ec2-gpu-launch scenario's record (with moto's instance id) posted to `riposte
 * serve --remediate live`, the incident approved through the dashboard's API, and exactly the
 * launched instance stopped.
 */

const SCENARIO_INSTANCE = "i-0a00000000000000";

describe.skipIf(!motoAvailable())(motoSuite("riposte serve --remediate live: EC2 stop action"), SUITE_OPTIONS, () => {
  let live: ServeLive;
  let ec2: EC2Client;
  let launched: string;
  let other: string;
  const state = async (id: string) =>
    (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0]?.State
      ?.Name;

  beforeAll(async () => {
    live = await startServeLive();
    ec2 = new EC2Client(live.aws());
    const { ImageId } = await ec2.send(new RegisterImageCommand({ Name: "miner" }));
    const run = async (type: "p4d.24xlarge" | "t3.micro") =>
      (await ec2.send(new RunInstancesCommand({ ImageId, InstanceType: type, MinCount: 1, MaxCount: 1 })))
        .Instances![0]!.InstanceId!;
    launched = await run("p4d.24xlarge");
    other = await run("t3.micro");
  });
  afterAll(async () => {
    ec2?.destroy();
    await live?.stop();
  });

  it("ec2-gpu-launch → approved ec2-stop-instances stops the launched instance only", async () => {
    await live.deliver(
      ...scenarioRecords(NETWORK_SCENARIOS, "ec2-gpu-launch", "a p4d.24xlarge launched", {
        [SCENARIO_INSTANCE]: launched,
      }),
    );
    const waiting = await live.settle("ec2-gpu-launch", ["AWAITING_APPROVAL", "FAILED"]);
    expect(waiting.status).toBe("AWAITING_APPROVAL");
    expect(await state(launched)).toBe("running");

    await live.approve(waiting.id);
    const incident = await live.settle("ec2-gpu-launch", ["MITIGATED", "FAILED"]);

    expect(incident).toMatchObject({ status: "MITIGATED", mode: "live" });
    expect(incident.actions).toMatchObject([
      {
        action: "ec2-stop-instances",
        outcome: "applied",
        calls: [{ operation: "StopInstances", params: { InstanceIds: [launched] } }],
      },
    ]);
    expect(await state(launched)).toBe("stopped");
    expect(await state(other)).toBe("running");
  });
});
