import {
  DescribeInstancesCommand,
  EC2Client,
  RegisterImageCommand,
  RunInstancesCommand,
  StopInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type MotoServer, motoAvailable, motoClientConfig, startMoto } from "../support/moto.js";
import { config, incident, REGION } from "./fixtures.js";
import { motoGateway, motoSuite, runEndToEnd, taskDeps } from "./harness.js";

/** ec2-stop-instances against moto: instances launched as ec2-gpu-launch sees them, stopped once approved. */

describe.skipIf(!motoAvailable())(motoSuite("compute actions"), () => {
  let moto: MotoServer;
  let ec2: EC2Client;
  beforeAll(async () => {
    moto = await startMoto();
    ec2 = new EC2Client(motoClientConfig(moto.endpoint, REGION));
  });
  beforeEach(async () => moto.reset());
  afterAll(async () => moto?.stop());

  async function launch(count: number): Promise<string[]> {
    const { ImageId } = await ec2.send(new RegisterImageCommand({ Name: "miner" }));
    const { Instances } = await ec2.send(
      new RunInstancesCommand({ ImageId, InstanceType: "p4d.24xlarge", MinCount: count, MaxCount: count }),
    );
    return (Instances ?? []).map((instance) => instance.InstanceId as string);
  }
  const states = async (ids: string[]) =>
    Object.fromEntries(
      ((await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }))).Reservations ?? [])
        .flatMap((r) => r.Instances ?? [])
        .map((i) => [i.InstanceId, i.State?.Name]),
    );

  it("stops the launched instances once approved, leaves another one running, and is already done the second time", async () => {
    const launched = await launch(2);
    const [other] = await launch(1);
    const run = (id: string) =>
      runEndToEnd(
        { ...incident("ec2-gpu-launch", { eventName: "RunInstances", instanceIds: launched }), id },
        taskDeps(config()),
        motoGateway(moto.endpoint),
        { approvedBy: "U0APPROVER" },
      );

    const result = await run("inc-gpu");
    const again = await run("inc-gpu-again");

    expect(await states([...launched, other as string])).toEqual({
      [launched[0] as string]: "stopped",
      [launched[1] as string]: "stopped",
      [other as string]: "running",
    });
    expect(result.actions[0]).toMatchObject({
      action: "ec2-stop-instances",
      outcome: "applied",
      calls: [{ operation: "StopInstances", params: { InstanceIds: [...launched].sort() } }],
    });
    expect(result.verification.verified).toBe(true);
    expect(again.actions[0]?.outcome).toBe("already-done");
  });

  it("leaves the instances running without approval", async () => {
    const launched = await launch(1);

    const result = await runEndToEnd(
      incident("ec2-gpu-launch", { eventName: "RunInstances", instanceIds: launched }),
      taskDeps(config()),
      motoGateway(moto.endpoint),
    );

    expect(await states(launched)).toEqual({ [launched[0] as string]: "running" });
    expect(result.actions[0]).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/destructive/) });
  });

  it("is already done for instances stopped by hand", async () => {
    const launched = await launch(1);
    await ec2.send(new StopInstancesCommand({ InstanceIds: launched }));

    const result = await runEndToEnd(
      incident("ec2-gpu-launch", { eventName: "RunInstances", instanceIds: launched }),
      taskDeps(config()),
      motoGateway(moto.endpoint),
      { approvedBy: "U0APPROVER" },
    );

    expect(result.actions[0]?.outcome).toBe("already-done");
  });
});
