import { describe, expect, it } from "vitest";
import { detect, of } from "../../../test/detections/harness.js";
import { ACCOUNT, record, s3 } from "../../../test/fixtures/events/cloudtrail.js";
import {
  FOREIGN,
  modifyDbSnapshotAttribute,
  modifyImageAttribute,
  modifySnapshotAttribute,
  permissionItems,
  putBucketReplication,
  rdsCall,
  replicationRule,
  TRUSTED,
} from "../../../test/fixtures/events/scenarios/storage-exposure.js";

/** Severity and facts of the sharing detections (the actions remove exactly what the facts name). */

const one = async (detection: string, records: unknown[], config = {}) => {
  const found = of(await detect(records, { config }), detection);
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe("ebs-snapshot-shared", () => {
  it("is critical for everyone and names exactly the foreign accounts added", async () => {
    // Arrange: everyone, a foreign account, the account itself and a trusted account in one call.
    const call = modifySnapshotAttribute({
      add: permissionItems({ group: "all" }, { userId: FOREIGN }, { userId: ACCOUNT }, { userId: TRUSTED }),
    });

    // Act
    const finding = await one("ebs-snapshot-shared", [call], { trustedAccounts: [TRUSTED] });

    // Assert
    expect(finding.severity).toBe("critical");
    expect(finding.resource).toBe("snap-0e3bac79ac432d549");
    expect(finding.facts).toMatchObject({
      eventName: "ModifySnapshotAttribute",
      snapshotId: "snap-0e3bac79ac432d549",
      addedGroups: ["all"],
      addedUserIds: [FOREIGN],
    });
    expect(finding.summary).toContain("everyone and account 444455556666");
  });

  it("is high for a foreign account alone (written with dashes, as the console shows it)", async () => {
    const call = modifySnapshotAttribute({ add: permissionItems({ userId: "4444-5555-6666" }) });

    const finding = await one("ebs-snapshot-shared", [call]);

    expect(finding.severity).toBe("high");
    expect(finding.facts).toMatchObject({ addedGroups: [], addedUserIds: [FOREIGN] });
  });

  it("reads only what was added, whatever else the request holds", async () => {
    const call = modifySnapshotAttribute({
      add: permissionItems({ userId: "not-an-account" }, { group: "everyone" }, "all", null),
      remove: permissionItems({ group: "all" }),
    });

    expect(of(await detect([call]), "ebs-snapshot-shared")).toEqual([]);
  });
});

describe("ami-shared", () => {
  it("is high for everyone and medium for a foreign account", async () => {
    const everyone = await one("ami-shared", [modifyImageAttribute({ add: permissionItems({ group: "all" }) })]);
    const account = await one("ami-shared", [modifyImageAttribute({ add: permissionItems({ userId: FOREIGN }) })]);

    expect(everyone.severity).toBe("high");
    expect(everyone.facts).toMatchObject({ imageId: "ami-011213ff2fc95b6f6", addedGroups: ["all"], addedUserIds: [] });
    expect(account.severity).toBe("medium");
    expect(account.facts).toMatchObject({ addedGroups: [], addedUserIds: [FOREIGN] });
  });
});

describe("rds-snapshot-shared", () => {
  it("is critical for all and lists all and the foreign accounts it added", async () => {
    const finding = await one("rds-snapshot-shared", [modifyDbSnapshotAttribute(["all", FOREIGN, ACCOUNT])]);

    expect(finding.severity).toBe("critical");
    expect(finding.facts).toMatchObject({
      eventName: "ModifyDBSnapshotAttribute",
      snapshotIdentifier: "exfiltration",
      cluster: false,
      addedValues: ["all", FOREIGN],
    });
  });

  it("is high for a foreign account, and says when the snapshot is a cluster snapshot", async () => {
    const finding = await one("rds-snapshot-shared", [modifyDbSnapshotAttribute([FOREIGN], { cluster: true })]);

    expect(finding.severity).toBe("high");
    expect(finding.facts).toMatchObject({ snapshotIdentifier: "exfiltration", cluster: true, addedValues: [FOREIGN] });
    expect(finding.summary).toContain("RDS cluster snapshot");
  });

  it("takes a single value logged without a list", async () => {
    const finding = await one("rds-snapshot-shared", [modifyDbSnapshotAttribute(FOREIGN)]);

    expect(finding.facts).toMatchObject({ addedValues: [FOREIGN] });
  });
});

describe("rds-instance-public", () => {
  it("names the instance, or the cluster, the call made public", async () => {
    const instance = await one("rds-instance-public", [rdsCall("ModifyDBInstance", { publiclyAccessible: true })]);
    const cluster = await one("rds-instance-public", [rdsCall("ModifyDBCluster", { publiclyAccessible: true })]);
    const restored = await one("rds-instance-public", [
      rdsCall("RestoreDBInstanceFromDBSnapshot", { dBSnapshotIdentifier: "snap-1" }, { publiclyAccessible: true }),
    ]);

    expect(instance.facts).toMatchObject({ eventName: "ModifyDBInstance", dbInstanceIdentifier: "production-db" });
    expect(instance.facts).not.toHaveProperty("dbClusterIdentifier");
    expect(cluster.facts).toMatchObject({ eventName: "ModifyDBCluster", dbClusterIdentifier: "aurora-cluster" });
    expect(cluster.facts).not.toHaveProperty("dbInstanceIdentifier");
    expect(restored.facts).toMatchObject({ dbInstanceIdentifier: "production-db", dbSnapshotIdentifier: "snap-1" });
  });

  it("reads publiclyAccessible written as text by re-exports, and nothing else as true", async () => {
    const text = rdsCall("ModifyDBInstance", { publiclyAccessible: "true" });
    const others = [1, "yes", { value: true }, null].map((value) =>
      rdsCall("ModifyDBInstance", { publiclyAccessible: value }),
    );

    expect(of(await detect([text]), "rds-instance-public")).toHaveLength(1);
    expect(of(await detect(others), "rds-instance-public")).toEqual([]);
  });
});

describe("s3-replication-external", () => {
  it("names the bucket and only the foreign destination accounts and their buckets", async () => {
    const call = putBucketReplication([
      replicationRule("dr", "customer-data-dr", ACCOUNT),
      replicationRule("a", "attacker-a", FOREIGN),
      replicationRule("b", "attacker-b", FOREIGN),
    ]);

    const finding = await one("s3-replication-external", [call]);

    expect(finding.severity).toBe("high");
    expect(finding.resource).toBe("customer-data");
    expect(finding.facts).toMatchObject({
      eventName: "PutBucketReplication",
      bucket: "customer-data",
      destinationAccounts: [FOREIGN],
      destinationBuckets: ["arn:aws:s3:::attacker-a", "arn:aws:s3:::attacker-b"],
    });
  });
});

describe("sharing detections on odd records", () => {
  const odd: unknown[] = [
    null,
    "text",
    42,
    [],
    {},
    { add: "all" },
    { add: { items: "all" } },
    { add: { items: [[]] } },
  ];

  it("never throw and never fire on shapes that share nothing", async () => {
    // Arrange: every watched call with null, scalar, list and half-formed parameters.
    const records = odd.flatMap((value) => [
      record("ec2.amazonaws.com", "ModifySnapshotAttribute", value, null),
      modifySnapshotAttribute(value as Record<string, unknown>),
      record("ec2.amazonaws.com", "ModifyImageAttribute", value, null),
      modifyImageAttribute(value as Record<string, unknown>),
      record("rds.amazonaws.com", "ModifyDBSnapshotAttribute", value, null),
      modifyDbSnapshotAttribute(value),
      record("rds.amazonaws.com", "ModifyDBInstance", value, value),
      record("rds.amazonaws.com", "RestoreDBInstanceFromDBSnapshot", { publiclyAccessible: value }, value),
      s3("PutBucketReplication", "b", { ReplicationConfiguration: value }),
      s3("PutBucketReplication", "b", { ReplicationConfiguration: { Rule: value } }),
      s3("PutBucketReplication", "b", { ReplicationConfiguration: { Rule: [{ Destination: value }] } }),
    ]);

    // Act
    const findings = await detect(records);

    // Assert
    const ids = ["ebs-snapshot-shared", "ami-shared", "rds-snapshot-shared", "rds-instance-public"];
    for (const id of [...ids, "s3-replication-external"]) expect(of(findings, id), id).toEqual([]);
  });
});
