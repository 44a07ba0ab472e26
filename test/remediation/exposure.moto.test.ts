import {
  CreateDetectorCommand,
  CreateFilterCommand,
  GetFilterCommand,
  GuardDutyClient,
} from "@aws-sdk/client-guardduty";
import {
  CreateDBInstanceCommand,
  DescribeDBInstancesCommand,
  ModifyDBInstanceCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import {
  CreateBucketCommand,
  GetBucketReplicationCommand,
  PutBucketReplicationCommand,
  PutBucketVersioningCommand,
  type ReplicationRule,
  S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { WorkingIncident } from "../../core/model/tasks.js";
import { type MotoServer, motoAvailable, motoClientConfig, startMoto } from "../support/moto.js";
import { config, incident, REGION } from "./fixtures.js";
import { motoGateway, motoSuite, runEndToEnd, taskDeps } from "./harness.js";

/**
 * The exposure and suppression actions against moto, through each detection's own response: a
 * public RDS database made private, a bucket's replication to a foreign account removed, a
 * GuardDuty suppression rule deleted, once approved; the emulated account is read again after.
 * moto 5.2.1 has no GuardDuty IP sets (CreateIPSet, GetIPSet, UpdateIPSet): guardduty-deactivate-ip-set
 * is covered with aws-sdk-client-mock in core/remediation/actions/guardduty-suppression.test.ts.
 */

describe.skipIf(!motoAvailable())(motoSuite("exposure and suppression actions"), () => {
  let moto: MotoServer;
  let rds: RDSClient;
  let s3: S3Client;
  let guardduty: GuardDutyClient;
  beforeAll(async () => {
    moto = await startMoto();
    guardduty = new GuardDutyClient(motoClientConfig(moto.endpoint, REGION));
    rds = new RDSClient(motoClientConfig(moto.endpoint, REGION));
    s3 = new S3Client({ ...motoClientConfig(moto.endpoint, REGION), forcePathStyle: true });
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

  describe("s3-replication-external → s3-remove-foreign-replication", () => {
    const FOREIGN = "210987654321";
    const OWN = "123456789012";
    const ROLE = `arn:aws:iam::${OWN}:role/replication`;
    const rule = (id: string, priority: number, account: string): ReplicationRule => ({
      ID: id,
      Priority: priority,
      Status: "Enabled",
      Filter: { Prefix: "" },
      DeleteMarkerReplication: { Status: "Disabled" },
      Destination: { Bucket: `arn:aws:s3:::replica-${id}`, Account: account },
    });
    async function replicatingBucket(rules: ReplicationRule[]): Promise<void> {
      await s3.send(new CreateBucketCommand({ Bucket: "orders" }));
      await s3.send(
        new PutBucketVersioningCommand({ Bucket: "orders", VersioningConfiguration: { Status: "Enabled" } }),
      );
      await s3.send(
        new PutBucketReplicationCommand({ Bucket: "orders", ReplicationConfiguration: { Role: ROLE, Rules: rules } }),
      );
    }
    const destinations = async () => {
      try {
        const answer = await s3.send(new GetBucketReplicationCommand({ Bucket: "orders" }));
        return (answer.ReplicationConfiguration?.Rules ?? []).map((r) => r.Destination?.Account);
      } catch (error) {
        if ((error as Error).name === "ReplicationConfigurationNotFoundError") return "none";
        throw error;
      }
    };
    const replicatedOut = (id: string) => ({
      ...incident("s3-replication-external", {
        eventName: "PutBucketReplication",
        bucket: "orders",
        destinationAccounts: [FOREIGN],
      }),
      id,
    });

    it("deletes a configuration whose every rule goes abroad, and is already done the second time", async () => {
      await replicatingBucket([rule("exfil", 1, FOREIGN)]);

      const first = await run(replicatedOut("inc-repl"), "U0APPROVER");
      const second = await run(replicatedOut("inc-repl-again"), "U0APPROVER");

      expect(await destinations()).toBe("none");
      expect(first.actions[0]).toMatchObject({
        action: "s3-remove-foreign-replication",
        outcome: "applied",
        calls: [{ operation: "DeleteBucketReplication", params: { Bucket: "orders" } }],
      });
      expect(first.verification.verified).toBe(true);
      expect(second.actions[0]?.outcome).toBe("already-done");
    });

    it("keeps the same-account rule and removes only the foreign one", async () => {
      await replicatingBucket([rule("exfil", 1, FOREIGN), rule("dr", 2, OWN)]);

      const result = await run(replicatedOut("inc-repl-mixed"), "U0APPROVER");

      expect(await destinations()).toEqual([OWN]);
      expect(result.actions[0]).toMatchObject({ outcome: "applied", calls: [{ operation: "PutBucketReplication" }] });
      expect(result.verification.verified).toBe(true);
    });

    it("leaves the replication in place without approval", async () => {
      await replicatingBucket([rule("exfil", 1, FOREIGN)]);

      const result = await run(replicatedOut("inc-repl-unapproved"));

      expect(await destinations()).toEqual([FOREIGN]);
      expect(result.actions[0]).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/destructive/) });
    });
  });

  describe("guardduty-suppressed → guardduty-delete-filter", () => {
    const criteria = { Criterion: { type: { Eq: ["Recon:EC2/PortProbeUnprotectedPort"] } } };
    async function suppressed(): Promise<string> {
      const { DetectorId } = await guardduty.send(new CreateDetectorCommand({ Enable: true }));
      await guardduty.send(
        new CreateFilterCommand({
          DetectorId,
          Name: "quiet-recon",
          Action: "ARCHIVE",
          Rank: 1,
          Description: "hide the probes",
          FindingCriteria: criteria,
        }),
      );
      return DetectorId as string;
    }
    const filterAction = async (DetectorId: string) => {
      try {
        return (await guardduty.send(new GetFilterCommand({ DetectorId, FilterName: "quiet-recon" }))).Action;
      } catch (error) {
        if ((error as Error).name === "BadRequestException") return "deleted";
        throw error;
      }
    };
    const filterCreated = (detectorId: string, id: string) => ({
      ...incident("guardduty-suppressed", {
        eventName: "CreateFilter",
        detectorId,
        filterName: "quiet-recon",
        action: "ARCHIVE",
      }),
      id,
    });

    it("deletes the suppression rule once approved, keeping it to recreate; a second run finds it gone", async () => {
      const detectorId = await suppressed();

      const first = await run(filterCreated(detectorId, "inc-filter"), "U0APPROVER");
      const second = await run(filterCreated(detectorId, "inc-filter-again"), "U0APPROVER");

      expect(await filterAction(detectorId)).toBe("deleted");
      expect(first.actions[0]).toMatchObject({
        action: "guardduty-delete-filter",
        outcome: "applied",
        before: {
          state: {
            action: "ARCHIVE",
            filter: {
              Name: "quiet-recon",
              Action: "ARCHIVE",
              Rank: 1,
              Description: "hide the probes",
              FindingCriteria: criteria,
            },
          },
        },
        calls: [{ operation: "DeleteFilter", params: { DetectorId: detectorId, FilterName: "quiet-recon" } }],
      });
      expect(first.verification.verified).toBe(true);
      expect(second.actions[0]?.outcome).toBe("gone");
    });

    it("leaves the rule in place without approval", async () => {
      const detectorId = await suppressed();

      const result = await run(filterCreated(detectorId, "inc-filter-unapproved"));

      expect(await filterAction(detectorId)).toBe("ARCHIVE");
      expect(result.actions[0]).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/destructive/) });
    });
  });
});
