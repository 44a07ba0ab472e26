import {
  DisableEbsEncryptionByDefaultCommand,
  EC2Client,
  EnableEbsEncryptionByDefaultCommand,
  GetEbsEncryptionByDefaultCommand,
} from "@aws-sdk/client-ec2";
import {
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  KMSClient,
  ScheduleKeyDeletionCommand,
} from "@aws-sdk/client-kms";
import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  ModifyDBClusterCommand,
  ModifyDBInstanceCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import {
  CreateBucketCommand,
  GetBucketVersioningCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RemediationActionId } from "../../core/model/actions.js";
import type { WorkingIncident } from "../../core/model/tasks.js";
import { type MotoServer, motoAvailable, motoClientConfig, startMoto } from "../support/moto.js";
import { config, declaredIncident, REGION } from "./fixtures.js";
import { motoGateway, motoSuite, runEndToEnd, taskDeps } from "./harness.js";

/**
 * The storage-protection actions against moto (KMS keys, EBS default encryption, S3 versioning,
 * RDS deletion protection): the emulated account is changed the way the detections see it
 * changed, the action runs through remediate and verify, and the account is read again. The
 * detections (issue 15) still answer notify, so each action is planned directly.
 */

describe.skipIf(!motoAvailable())(motoSuite("storage-protection actions"), () => {
  let moto: MotoServer;
  let kms: KMSClient;
  let ec2: EC2Client;
  let s3: S3Client;
  let rds: RDSClient;
  beforeAll(async () => {
    moto = await startMoto();
    kms = new KMSClient(motoClientConfig(moto.endpoint, REGION));
    ec2 = new EC2Client(motoClientConfig(moto.endpoint, REGION));
    s3 = new S3Client(motoClientConfig(moto.endpoint, REGION));
    rds = new RDSClient(motoClientConfig(moto.endpoint, REGION));
  });
  beforeEach(async () => moto.reset());
  afterAll(async () => moto?.stop());

  const run = (incident: WorkingIncident, action: RemediationActionId) =>
    runEndToEnd(incident, taskDeps(config()), motoGateway(moto.endpoint), { action });

  describe("kms-restore-key", () => {
    // moto's KMS writes find a key by its id only (named by ARN they answer 500; AWS takes both):
    // the account is changed by key id here, while the incidents name the key by ARN as CloudTrail does.
    async function newKey(): Promise<{ arn: string; keyId: string }> {
      const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: "orders" }));
      return { arn: KeyMetadata?.Arn as string, keyId: KeyMetadata?.KeyId as string };
    }
    const keyState = async (keyId: string) =>
      (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState;
    const keyIncident = (eventName: string, keyId: string) =>
      declaredIncident("kms-key-deletion", "storage", { eventName, keyId });

    it("cancels a scheduled deletion and enables the key again", async () => {
      const { arn, keyId } = await newKey();
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
      expect(await keyState(keyId)).toBe("PendingDeletion");

      const result = await run(keyIncident("ScheduleKeyDeletion", arn), "kms-restore-key");

      expect(await keyState(keyId)).toBe("Enabled");
      expect(result.actions[0]?.calls.map((call) => [call.operation, call.params])).toEqual([
        ["CancelKeyDeletion", { KeyId: keyId }],
        ["EnableKey", { KeyId: keyId }],
      ]);
      expect(result.verification.verified).toBe(true);
    });

    it("enables a disabled key named by its id, and is already done the second time", async () => {
      const { keyId } = await newKey();
      await kms.send(new DisableKeyCommand({ KeyId: keyId }));

      const first = await run(keyIncident("DisableKey", keyId), "kms-restore-key");
      const second = await run({ ...keyIncident("DisableKey", keyId), id: "inc-again" }, "kms-restore-key");

      expect(await keyState(keyId)).toBe("Enabled");
      expect(first.actions.map((a) => [a.outcome, a.calls.map((call) => call.operation)])).toEqual([
        ["applied", ["EnableKey"]],
      ]);
      expect(second.actions.map((a) => a.outcome)).toEqual(["already-done"]);
      expect(second.verification.verified).toBe(true);
    });

    it("reports a key that does not exist, and fails verification", async () => {
      const missing = `arn:aws:kms:${REGION}:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

      const result = await run(keyIncident("ScheduleKeyDeletion", missing), "kms-restore-key");

      expect(result.actions.map((a) => a.outcome)).toEqual(["gone"]);
      expect(result.verification.verified).toBe(false);
    });
  });

  describe("ebs-enable-default-encryption", () => {
    const ebsDefault = async () => (await ec2.send(new GetEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault;
    const disabledIncident = () =>
      declaredIncident("ebs-default-encryption-disabled", "storage", { eventName: "DisableEbsEncryptionByDefault" });

    it("turns encryption by default back on in the region, and is already done the second time", async () => {
      await ec2.send(new EnableEbsEncryptionByDefaultCommand({}));
      await ec2.send(new DisableEbsEncryptionByDefaultCommand({}));
      expect(await ebsDefault()).toBe(false);

      const first = await run(disabledIncident(), "ebs-enable-default-encryption");
      const second = await run({ ...disabledIncident(), id: "inc-again" }, "ebs-enable-default-encryption");

      expect(await ebsDefault()).toBe(true);
      expect(first.actions.map((a) => [a.outcome, a.calls])).toEqual([
        ["applied", [{ service: "ec2", operation: "EnableEbsEncryptionByDefault", params: {}, region: REGION }]],
      ]);
      expect(first.verification.verified).toBe(true);
      expect(second.actions.map((a) => a.outcome)).toEqual(["already-done"]);
    });
  });

  describe("s3-enable-versioning", () => {
    // moto keeps no MFA delete setting: the refusal to change versioning while MFA delete is on
    // is covered with aws-sdk-client-mock in core/remediation/actions/s3-versioning.test.ts.
    async function suspendedBucket(name: string, tags: { Key: string; Value: string }[] = []) {
      await s3.send(new CreateBucketCommand({ Bucket: name }));
      await s3.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: "Enabled" } }));
      await s3.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: "Suspended" } }));
      if (tags.length > 0) await s3.send(new PutBucketTaggingCommand({ Bucket: name, Tagging: { TagSet: tags } }));
    }
    const status = async (name: string) => (await s3.send(new GetBucketVersioningCommand({ Bucket: name }))).Status;
    const suspendedIncident = (bucket: string) =>
      declaredIncident("s3-versioning-suspended", "storage", {
        eventName: "PutBucketVersioning",
        bucket,
        versioningStatus: "Suspended",
      });

    it("re-enables versioning on the bucket, and is already done the second time", async () => {
      await suspendedBucket("orders-archive", [{ Key: "team", Value: "orders" }]);

      const first = await run(suspendedIncident("orders-archive"), "s3-enable-versioning");
      const second = await run({ ...suspendedIncident("orders-archive"), id: "inc-again" }, "s3-enable-versioning");

      expect(await status("orders-archive")).toBe("Enabled");
      expect(first.actions.map((a) => [a.outcome, a.calls.map((call) => call.params)])).toEqual([
        ["applied", [{ Bucket: "orders-archive", VersioningConfiguration: { Status: "Enabled" } }]],
      ]);
      expect(first.verification.verified).toBe(true);
      expect(second.actions.map((a) => a.outcome)).toEqual(["already-done"]);
    });

    it("leaves a protected bucket suspended", async () => {
      await suspendedBucket("break-glass", [{ Key: "riposte:protect", Value: "true" }]);

      const result = await run(suspendedIncident("break-glass"), "s3-enable-versioning");

      expect(await status("break-glass")).toBe("Suspended");
      expect(result.actions.map((a) => a.outcome)).toEqual(["skipped"]);
      expect(result.verification.verified).toBe(false);
    });
  });

  describe("rds-enable-deletion-protection", () => {
    const credentials = { MasterUsername: "admin_user", MasterUserPassword: "not-a-real-secret-1" };
    async function unprotectedDatabases(): Promise<void> {
      await rds.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: "orders-db",
          DBInstanceClass: "db.t3.micro",
          Engine: "postgres",
          AllocatedStorage: 20,
          DeletionProtection: true,
          ...credentials,
        }),
      );
      await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: "orders-db", DeletionProtection: false }));
      await rds.send(
        new CreateDBClusterCommand({
          DBClusterIdentifier: "orders-cluster",
          Engine: "aurora-postgresql",
          DeletionProtection: true,
          ...credentials,
        }),
      );
      await rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: "orders-cluster", DeletionProtection: false }));
    }
    const instanceProtected = async () =>
      (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: "orders-db" }))).DBInstances?.[0]
        ?.DeletionProtection;
    const clusterProtected = async () =>
      (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: "orders-cluster" }))).DBClusters?.[0]
        ?.DeletionProtection;

    it("turns protection back on for the instance, and is already done the second time", async () => {
      await unprotectedDatabases();
      expect(await instanceProtected()).toBe(false);
      const incident = declaredIncident("rds-protection-removed", "storage", {
        eventName: "ModifyDBInstance",
        dbInstanceIdentifier: "orders-db",
      });

      const first = await run(incident, "rds-enable-deletion-protection");
      const second = await run({ ...incident, id: "inc-again" }, "rds-enable-deletion-protection");

      expect(await instanceProtected()).toBe(true);
      expect(await clusterProtected()).toBe(false);
      expect(first.actions.map((a) => a.outcome)).toEqual(["applied"]);
      expect(first.verification.verified).toBe(true);
      expect(second.actions.map((a) => a.outcome)).toEqual(["already-done"]);
    });

    it("turns protection back on for the cluster", async () => {
      await unprotectedDatabases();
      const incident = declaredIncident("rds-protection-removed", "storage", {
        eventName: "ModifyDBCluster",
        dbClusterIdentifier: "orders-cluster",
      });

      const result = await run(incident, "rds-enable-deletion-protection");

      expect(await clusterProtected()).toBe(true);
      expect(result.actions[0]?.calls.map((call) => call.params)).toEqual([
        { DBClusterIdentifier: "orders-cluster", DeletionProtection: true },
      ]);
      expect(result.verification.verified).toBe(true);
    });

    it("reports an instance deleted since, and fails verification", async () => {
      await unprotectedDatabases();
      await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: "orders-db", SkipFinalSnapshot: true }));
      const incident = declaredIncident("rds-protection-removed", "storage", {
        eventName: "ModifyDBInstance",
        dbInstanceIdentifier: "orders-db",
      });

      const result = await run(incident, "rds-enable-deletion-protection");

      expect(result.actions.map((a) => a.outcome)).toEqual(["gone"]);
      expect(result.verification.verified).toBe(false);
    });
  });
});
