import {
  CreateDBInstanceCommand,
  DescribeDBInstancesCommand,
  ModifyDBInstanceCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { WorkingIncident } from "../../core/model/tasks.js";
import { type MotoServer, motoAvailable, motoClientConfig, startMoto } from "../support/moto.js";
import { config, incident, REGION } from "./fixtures.js";
import { motoGateway, motoSuite, runEndToEnd, taskDeps } from "./harness.js";

/**
 * The exposure and suppression actions against moto, through each detection's own response: a
 * public RDS database made private once approved; the emulated account is read again after.
 */

describe.skipIf(!motoAvailable())(motoSuite("exposure and suppression actions"), () => {
  let moto: MotoServer;
  let rds: RDSClient;
  beforeAll(async () => {
    moto = await startMoto();
    rds = new RDSClient(motoClientConfig(moto.endpoint, REGION));
  });
  beforeEach(async () => moto.reset());
  afterAll(async () => moto?.stop());

  const run = (subject: WorkingIncident, approvedBy?: string) =>
    runEndToEnd(subject, taskDeps(config()), motoGateway(moto.endpoint), approvedBy ? { approvedBy } : {});

  describe("rds-instance-public → rds-disable-public-access", () => {
    async function publicDatabase(): Promise<void> {
      await rds.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: "orders-db",
          DBInstanceClass: "db.t3.micro",
          Engine: "postgres",
          AllocatedStorage: 20,
          MasterUsername: "admin_user",
          MasterUserPassword: "not-a-real-secret-1",
        }),
      );
      await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: "orders-db", PubliclyAccessible: true }));
    }
    const isPublic = async () =>
      (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: "orders-db" }))).DBInstances?.[0]
        ?.PubliclyAccessible;
    const madePublic = (id: string) => ({
      ...incident("rds-instance-public", { eventName: "ModifyDBInstance", dbInstanceIdentifier: "orders-db" }),
      id,
    });

    it("makes the database private once approved, and is already done the second time", async () => {
      await publicDatabase();
      expect(await isPublic()).toBe(true);

      const first = await run(madePublic("inc-rds"), "U0APPROVER");
      const second = await run(madePublic("inc-rds-again"), "U0APPROVER");

      expect(await isPublic()).toBe(false);
      expect(first.actions[0]).toMatchObject({
        action: "rds-disable-public-access",
        outcome: "applied",
        before: { state: { publiclyAccessible: true } },
        calls: [
          { operation: "ModifyDBInstance", params: { DBInstanceIdentifier: "orders-db", PubliclyAccessible: false } },
        ],
      });
      expect(first.verification.verified).toBe(true);
      expect(second.actions[0]?.outcome).toBe("already-done");
    });

    it("leaves the database public without approval", async () => {
      await publicDatabase();

      const result = await run(madePublic("inc-rds-unapproved"));

      expect(await isPublic()).toBe(true);
      expect(result.actions[0]).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/destructive/) });
    });
  });
});
