import {
  CreateDBClusterCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotAttributesCommand,
  ModifyDBClusterCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  ModifyDBInstanceCommand,
  ModifyDBSnapshotAttributeCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FOREIGN, modifyDbSnapshotAttribute } from "../fixtures/events/scenarios/storage-exposure.js";
import { modifyDBCluster, modifyDBInstance } from "../fixtures/events/scenarios/storage-protection.js";
import { motoSuite } from "../remediation/harness.js";
import { motoAvailable } from "../support/moto.js";
import { adapt, now, type ServeLive, SUITE_OPTIONS, startServeLive } from "./serve.js";

/**
 * RDS family, end to end: a DB snapshot made public and shared with a foreign account (on top of
 * a partner's older share), a cluster snapshot shared with a foreign account, and deletion
 * protection removed from an instance and a cluster; the scenario records go to `riposte serve
 * --remediate live` and the emulated account shows each change undone.
 */

const PARTNER = "111122223333";
const CREDENTIALS = { MasterUsername: "admin_user", MasterUserPassword: "not-a-real-secret-1" };
/** The scenario's snapshot is "exfiltration"; the cluster's gets its own name here. */
const DB_SNAPSHOT = "exfiltration";
const CLUSTER_SNAPSHOT = "exfiltration-cluster";

describe.skipIf(!motoAvailable())(motoSuite("riposte serve --remediate live: RDS actions"), SUITE_OPTIONS, () => {
  let live: ServeLive;
  let rds: RDSClient;

  beforeAll(async () => {
    live = await startServeLive();
    rds = new RDSClient(live.aws());

    // Arrange: the databases (the scenario records' names), their snapshots and the changes…
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: "orders-db",
        DBInstanceClass: "db.t3.micro",
        Engine: "postgres",
        AllocatedStorage: 20,
        DeletionProtection: true,
        ...CREDENTIALS,
      }),
    );
    await rds.send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: "orders-cluster",
        Engine: "aurora-postgresql",
        DeletionProtection: true,
        ...CREDENTIALS,
      }),
    );
    await rds.send(
      new CreateDBSnapshotCommand({ DBInstanceIdentifier: "orders-db", DBSnapshotIdentifier: DB_SNAPSHOT }),
    );
    await rds.send(
      new CreateDBClusterSnapshotCommand({
        DBClusterIdentifier: "orders-cluster",
        DBClusterSnapshotIdentifier: CLUSTER_SNAPSHOT,
      }),
    );
    const share = (values: string[]) =>
      rds.send(
        new ModifyDBSnapshotAttributeCommand({
          DBSnapshotIdentifier: DB_SNAPSHOT,
          AttributeName: "restore",
          ValuesToAdd: values,
        }),
      );
    await share([PARTNER]);
    await share(["all", FOREIGN]);
    await rds.send(
      new ModifyDBClusterSnapshotAttributeCommand({
        DBClusterSnapshotIdentifier: CLUSTER_SNAPSHOT,
        AttributeName: "restore",
        ValuesToAdd: [FOREIGN],
      }),
    );
    await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: "orders-db", DeletionProtection: false }));
    await rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: "orders-cluster", DeletionProtection: false }));

    // …and the records CloudTrail logs for them, in one delivery.
    const time = now();
    await live.deliver(
      modifyDbSnapshotAttribute(["all", FOREIGN], { time }),
      adapt(modifyDbSnapshotAttribute([FOREIGN], { time, cluster: true }), { [DB_SNAPSHOT]: CLUSTER_SNAPSHOT }),
      modifyDBInstance({ deletionProtection: false }, { time }),
      modifyDBCluster({ deletionProtection: false }, { time }),
    );
  });
  afterAll(async () => {
    rds?.destroy();
    await live?.stop();
  });

  it("rds-snapshot-shared → rds-snapshot-unshare removes the values added to a DB snapshot, keeps the partner", async () => {
    const incident = await live.settle("rds-snapshot-shared", ["MITIGATED", "FAILED"], DB_SNAPSHOT);

    expect(incident).toMatchObject({ status: "MITIGATED", mode: "live" });
    expect(incident.actions).toMatchObject([{ action: "rds-snapshot-unshare", outcome: "applied" }]);
    const after = await rds.send(new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: DB_SNAPSHOT }));
    const restore = after.DBSnapshotAttributesResult?.DBSnapshotAttributes?.find((a) => a.AttributeName === "restore");
    expect(restore?.AttributeValues).toEqual([PARTNER]);
  });

  it("rds-snapshot-shared → rds-snapshot-unshare removes the account added to a cluster snapshot", async () => {
    const incident = await live.settle("rds-snapshot-shared", ["MITIGATED", "FAILED"], CLUSTER_SNAPSHOT);

    expect(incident).toMatchObject({ status: "MITIGATED", mode: "live" });
    const after = await rds.send(
      new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: CLUSTER_SNAPSHOT }),
    );
    const restore = after.DBClusterSnapshotAttributesResult?.DBClusterSnapshotAttributes?.find(
      (a) => a.AttributeName === "restore",
    );
    expect(restore?.AttributeValues ?? []).toEqual([]);
  });

  it("rds-protection-removed → rds-enable-deletion-protection protects the instance again", async () => {
    const incident = await live.settle("rds-protection-removed", ["MITIGATED", "FAILED"], "orders-db");

    expect(incident).toMatchObject({ status: "MITIGATED", mode: "live" });
    expect(incident.actions).toMatchObject([{ action: "rds-enable-deletion-protection", outcome: "applied" }]);
    const after = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: "orders-db" }));
    expect(after.DBInstances?.[0]?.DeletionProtection).toBe(true);
  });

  it("rds-protection-removed → rds-enable-deletion-protection protects the cluster again", async () => {
    const incident = await live.settle("rds-protection-removed", ["MITIGATED", "FAILED"], "orders-cluster");

    expect(incident).toMatchObject({ status: "MITIGATED", mode: "live" });
    const after = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: "orders-cluster" }));
    expect(after.DBClusters?.[0]?.DeletionProtection).toBe(true);
  });
});
