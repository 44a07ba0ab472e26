import {
  CreateDetectorCommand,
  CreateFilterCommand,
  GetFilterCommand,
  GuardDutyClient,
  UpdateFilterCommand,
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
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Incident } from "../../core/model/incident.js";
import { ACCOUNT } from "../fixtures/events/cloudtrail.js";
import { LOGGING_SCENARIOS } from "../fixtures/events/scenarios/logging.js";
import { FOREIGN, STORAGE_EXPOSURE_SCENARIOS } from "../fixtures/events/scenarios/storage-exposure.js";
import { motoSuite } from "../remediation/harness.js";
import { motoAvailable } from "../support/moto.js";
import { type ServeLive, SUITE_OPTIONS, scenarioRecords, startServeLive } from "./serve.js";

/**
 * The exposure and suppression actions, end to end: a database made publicly accessible and one
 * restored public from a snapshot, a bucket replicating to a foreign account beside its own
 * disaster-recovery rule and one replicating only abroad, and two GuardDuty suppression rules (one
 * created, one turned from a selecting filter), in the emulated account; the scenarios' records
 * (with moto's detector id) go to `riposte serve --remediate live` in one delivery; each incident
 * waits for approval and is approved through the dashboard's API; once MITIGATED the databases
 * are private, only the foreign replication is gone and the suppression rules are deleted (a
 * selecting filter kept). moto 5.2.1 has no GuardDuty IP sets, so the trusted-IP-list response is
 * not run here (covered with aws-sdk-client-mock in core/remediation/actions/guardduty-suppression.test.ts).
 */

/** The scenarios' database and bucket, and the names given to the second of each. */
const DATABASE = "production-db";
const RESTORED = "restored-db";
const BUCKET = "customer-data";
const ABROAD_ONLY = "archive-data";
const SCENARIO_DETECTOR = "12abc34d567e8fa901bc2d34e56789f0";

const rule = (ID: string, Priority: number, bucket: string, Account?: string): ReplicationRule => ({
  ID,
  Priority,
  Status: "Enabled",
  Filter: { Prefix: "" },
  DeleteMarkerReplication: { Status: "Disabled" },
  Destination: {
    Bucket: `arn:aws:s3:::${bucket}`,
    ...(Account ? { Account, AccessControlTranslation: { Owner: "Destination" } } : {}),
  },
});

describe.skipIf(!motoAvailable())(
  motoSuite("riposte serve --remediate live: exposure and suppression actions"),
  SUITE_OPTIONS,
  () => {
    let live: ServeLive;
    let rds: RDSClient;
    let s3: S3Client;
    let guardduty: GuardDutyClient;
    let detectorId: string;
    /** Each incident, by resource, approved through the dashboard's API once it waited for approval. */
    const approved = new Map<string, Incident>();

    beforeAll(async () => {
      live = await startServeLive();
      rds = new RDSClient(live.aws());
      s3 = new S3Client({ ...live.aws(), forcePathStyle: true });
      guardduty = new GuardDutyClient(live.aws());

      // Arrange: the databases made public…
      for (const DBInstanceIdentifier of [DATABASE, RESTORED]) {
        await rds.send(
          new CreateDBInstanceCommand({
            DBInstanceIdentifier,
            DBInstanceClass: "db.t3.micro",
            Engine: "mysql",
            AllocatedStorage: 20,
            MasterUsername: "admin_user",
            MasterUserPassword: "not-a-real-secret-1",
          }),
        );
        await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier, PubliclyAccessible: true }));
      }
      // …the buckets replicated abroad (one beside the account's own copy)…
      const replicate = async (Bucket: string, Rules: ReplicationRule[]) => {
        await s3.send(new CreateBucketCommand({ Bucket }));
        await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: "Enabled" } }));
        await s3.send(
          new PutBucketReplicationCommand({
            Bucket,
            ReplicationConfiguration: { Role: `arn:aws:iam::${ACCOUNT}:role/s3-replication`, Rules },
          }),
        );
      };
      await replicate(BUCKET, [rule("dr", 1, "customer-data-dr"), rule("exfil", 2, "attacker-bucket", FOREIGN)]);
      await replicate(ABROAD_ONLY, [rule("exfil", 1, "attacker-bucket", FOREIGN)]);
      // …and GuardDuty suppression rules beside a filter that only selects findings.
      detectorId = (await guardduty.send(new CreateDetectorCommand({ Enable: true }))).DetectorId!;
      const filter = (Name: string, Action: "ARCHIVE" | "NOOP", Rank: number, type: string) =>
        guardduty.send(
          new CreateFilterCommand({
            DetectorId: detectorId,
            Name,
            Action,
            Rank,
            FindingCriteria: { Criterion: { type: { Eq: [type] } } },
          }),
        );
      await filter("quiet", "ARCHIVE", 1, "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS");
      await filter("portscans", "NOOP", 2, "Recon:EC2/Portscan");
      await filter("selected", "NOOP", 3, "Recon:EC2/PortProbeUnprotectedPort");
      await guardduty.send(
        new UpdateFilterCommand({ DetectorId: detectorId, FilterName: "portscans", Action: "ARCHIVE" }),
      );

      // The scenarios' records, in one delivery.
      const exposure = (detection: string, name: string, ids: Record<string, string> = {}) =>
        scenarioRecords(STORAGE_EXPOSURE_SCENARIOS, detection, name, ids);
      const suppressed = (name: string) =>
        scenarioRecords(LOGGING_SCENARIOS, "guardduty-suppressed", name, { [SCENARIO_DETECTOR]: detectorId });
      await live.deliver(
        ...exposure("rds-instance-public", "an instance modified to be publicly accessible"),
        ...exposure(
          "rds-instance-public",
          "a snapshot restored as a public instance (inherited: only the response says so)",
          { [DATABASE]: RESTORED },
        ),
        ...exposure("s3-replication-external", "one of several rules replicates to a foreign account"),
        ...exposure("s3-replication-external", "a bucket replicated to a foreign account (one rule)", {
          [BUCKET]: ABROAD_ONLY,
        }),
        ...suppressed("a suppression rule created (CreateFilter action ARCHIVE)"),
        ...suppressed("a filter turned into a suppression rule (UpdateFilter action ARCHIVE)"),
      );

      // Each response here waits for a person: approved through the dashboard's API.
      const waiting: [string, string][] = [
        ["rds-instance-public", DATABASE],
        ["rds-instance-public", RESTORED],
        ["s3-replication-external", BUCKET],
        ["s3-replication-external", ABROAD_ONLY],
        ["guardduty-suppressed", "quiet"],
        ["guardduty-suppressed", "portscans"],
      ];
      for (const [detection, resource] of waiting) {
        const incident = await live.settle(detection, ["AWAITING_APPROVAL", "FAILED"], resource);
        expect(incident.status).toBe("AWAITING_APPROVAL");
        await live.approve(incident.id);
        approved.set(resource, incident);
      }
    }, 120_000);
    afterAll(async () => {
      rds?.destroy();
      s3?.destroy();
      guardduty?.destroy();
      await live?.stop();
    });

    /** The approved incident on `resource`, once MITIGATED live by `action`. */
    async function mitigated(detection: string, resource: string, action: string): Promise<Incident> {
      const incident = await live.settle(detection, ["MITIGATED", "FAILED"], resource);
      expect(incident).toMatchObject({ id: approved.get(resource)?.id, status: "MITIGATED", mode: "live" });
      expect(incident.actions).toMatchObject([{ action, outcome: "applied" }]);
      return incident;
    }
    const isPublic = async (DBInstanceIdentifier: string) =>
      (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier }))).DBInstances?.[0]?.PubliclyAccessible;
    /** A filter's action, or "deleted" (GuardDuty answers a missing filter with BadRequestException). */
    const filterAction = async (FilterName: string) => {
      try {
        return (await guardduty.send(new GetFilterCommand({ DetectorId: detectorId, FilterName }))).Action;
      } catch (error) {
        if ((error as Error).name === "BadRequestException") return "deleted";
        throw error;
      }
    };

    it("rds-instance-public → approved rds-disable-public-access makes the modified database private", async () => {
      const incident = await mitigated("rds-instance-public", DATABASE, "rds-disable-public-access");

      expect(incident.actions[0]?.calls).toMatchObject([
        { operation: "ModifyDBInstance", params: { DBInstanceIdentifier: DATABASE, PubliclyAccessible: false } },
      ]);
      expect(await isPublic(DATABASE)).toBe(false);
    });

    it("rds-instance-public → approved rds-disable-public-access makes the database restored public private", async () => {
      await mitigated("rds-instance-public", RESTORED, "rds-disable-public-access");

      expect(await isPublic(RESTORED)).toBe(false);
    });

    it("s3-replication-external → approved s3-remove-foreign-replication removes the foreign rule, keeps the account's own", async () => {
      const incident = await mitigated("s3-replication-external", BUCKET, "s3-remove-foreign-replication");

      expect(incident.actions[0]?.calls).toMatchObject([{ operation: "PutBucketReplication" }]);
      const after = await s3.send(new GetBucketReplicationCommand({ Bucket: BUCKET }));
      expect(after.ReplicationConfiguration?.Rules?.map((kept) => kept.ID)).toEqual(["dr"]);
    });

    it("s3-replication-external → approved s3-remove-foreign-replication deletes a configuration that only goes abroad", async () => {
      const incident = await mitigated("s3-replication-external", ABROAD_ONLY, "s3-remove-foreign-replication");

      expect(incident.actions[0]?.calls).toMatchObject([
        { operation: "DeleteBucketReplication", params: { Bucket: ABROAD_ONLY } },
      ]);
      await expect(s3.send(new GetBucketReplicationCommand({ Bucket: ABROAD_ONLY }))).rejects.toMatchObject({
        name: "ReplicationConfigurationNotFoundError",
      });
    });

    it("guardduty-suppressed → approved guardduty-delete-filter deletes the created suppression rule", async () => {
      const incident = await mitigated("guardduty-suppressed", "quiet", "guardduty-delete-filter");

      expect(incident.actions[0]?.calls).toMatchObject([
        { operation: "DeleteFilter", params: { DetectorId: detectorId, FilterName: "quiet" } },
      ]);
      expect(await filterAction("quiet")).toBe("deleted");
    });

    it("guardduty-suppressed → approved guardduty-delete-filter deletes the filter turned into a suppression rule, keeps the selecting one", async () => {
      await mitigated("guardduty-suppressed", "portscans", "guardduty-delete-filter");

      expect(await filterAction("portscans")).toBe("deleted");
      expect(await filterAction("selected")).toBe("NOOP");
    });
  },
);
