import { DescribeSecurityGroupsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MotoServer, motoAvailable, motoClientConfig, startMoto } from "./moto.js";

describe.skipIf(!motoAvailable())("moto test server", () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it("answers the real SDK at its endpoint", async () => {
    const ec2 = new EC2Client(motoClientConfig(moto.endpoint));

    const groups = await ec2.send(new DescribeSecurityGroupsCommand({}));

    expect(groups.SecurityGroups?.some((g) => g.GroupName === "default")).toBe(true);
  });
});
