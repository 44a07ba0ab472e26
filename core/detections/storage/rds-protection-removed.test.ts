import { describe, expect, it } from "vitest";
import { record } from "../../../test/fixtures/events/cloudtrail.js";
import {
  AUTOMATED_BACKUPS_ARN,
  deleteAutomatedBackup,
  deleteDBClusterSnapshot,
  deleteDBSnapshot,
  modifyDBCluster,
  modifyDBInstance,
} from "../../../test/fixtures/events/scenarios/storage-protection.js";
import { SCENARIOS } from "../../../test/fixtures/events/scenarios.js";
import { parseConfig } from "../../config/load.js";
import { normalizeRecords } from "../../events/index.js";
import { compilePattern } from "../../patterns/compile.js";
import { matches } from "../../patterns/match.js";
import { detectionPattern, getDetection } from "../catalog.js";

const config = parseConfig({});
const detection = getDetection("rds-protection-removed");
const envelopeOf = (event: unknown) => normalizeRecords(event).events[0]!.envelope;
const pattern = compilePattern(detectionPattern(detection, config));
const selected = (event: unknown) => matches(pattern, envelopeOf(event));
const evaluate = (event: unknown) => {
  if (detection.stateful) throw new Error("rds-protection-removed is stateless");
  return detection.evaluate(envelopeOf(event), config);
};

describe("rds-protection-removed pattern (what EventBridge delivers)", () => {
  it("leaves out modify requests that do not set deletionProtection false, though their responses report it", () => {
    const modifies = [
      modifyDBInstance({ dBInstanceClass: "db.r6g.xlarge" }),
      modifyDBInstance({ deletionProtection: true }),
      modifyDBCluster({ backupRetentionPeriod: 14 }),
      modifyDBCluster({ deletionProtection: true }),
    ];

    for (const event of modifies) expect(selected(event), JSON.stringify(event.requestParameters)).toBe(false);
  });

  it("selects removals (a boolean, or a string from a re-export) and every delete, even with a null request", () => {
    const events = [
      modifyDBInstance({ deletionProtection: false }),
      modifyDBInstance({ deletionProtection: "false" }),
      modifyDBCluster({ deletionProtection: false }),
      deleteDBSnapshot(),
      deleteDBClusterSnapshot(),
      deleteAutomatedBackup({ dbiResourceId: "db-ABCDEFGHIJKLMNOPQRSTUVWXY" }),
      record("rds.amazonaws.com", "DeleteDBSnapshot", null, null),
    ];

    for (const event of events) expect(selected(event), JSON.stringify(event.requestParameters)).toBe(true);
  });

  it("selects every positive scenario of the detection (the pattern loses no true positive)", () => {
    const positives = SCENARIOS.filter((scenario) => scenario.detection === detection.id && scenario.fires);

    expect(positives.length).toBeGreaterThan(5);
    for (const scenario of positives) expect(scenario.records.some(selected), scenario.name).toBe(true);
  });
});

describe("rds-protection-removed facts (what a response action reads)", () => {
  it("names the instance or the cluster whose protection was removed, and its ARN as the resource", () => {
    const instance = evaluate(modifyDBInstance({ deletionProtection: false }));
    const cluster = evaluate(modifyDBCluster({ deletionProtection: false }));

    expect(instance?.facts).toMatchObject({ eventName: "ModifyDBInstance", dbInstanceIdentifier: "orders-db" });
    expect(instance?.facts).not.toHaveProperty("dbClusterIdentifier");
    expect(instance?.resource).toBe("arn:aws:rds:us-east-1:123456789012:db:orders-db");
    expect(cluster?.facts).toMatchObject({ eventName: "ModifyDBCluster", dbClusterIdentifier: "orders-cluster" });
    expect(cluster?.facts).not.toHaveProperty("dbInstanceIdentifier");
    expect(cluster?.summary).toContain("removed deletion protection from DB cluster orders-cluster");
  });

  it("judges the request, not the response, even when a record reaches it without the pattern", () => {
    expect(evaluate(modifyDBInstance({ dBInstanceClass: "db.r6g.xlarge" }))).toBeUndefined();
    expect(evaluate(modifyDBInstance({ deletionProtection: true }))).toBeUndefined();
    expect(evaluate(modifyDBCluster({ backupRetentionPeriod: 14 }))).toBeUndefined();
  });

  it("names the deleted snapshot or automated backups, not an instance to re-protect", () => {
    const snapshot = evaluate(deleteDBSnapshot());
    const clusterSnapshot = evaluate(deleteDBClusterSnapshot());
    const byResourceId = evaluate(deleteAutomatedBackup({ dbiResourceId: "db-ABCDEFGHIJKLMNOPQRSTUVWXY" }));
    const byArn = evaluate(deleteAutomatedBackup({ dBInstanceAutomatedBackupsArn: AUTOMATED_BACKUPS_ARN }));

    expect(snapshot?.facts).toMatchObject({ dbSnapshotIdentifier: "orders-db-before-migration" });
    expect(snapshot?.facts).not.toHaveProperty("dbInstanceIdentifier");
    expect(clusterSnapshot?.facts).toMatchObject({ dbClusterSnapshotIdentifier: "orders-cluster-weekly" });
    expect(byResourceId?.facts).toMatchObject({
      dbiResourceId: "db-ABCDEFGHIJKLMNOPQRSTUVWXY",
      dbInstanceAutomatedBackupsArn: AUTOMATED_BACKUPS_ARN,
    });
    expect(byResourceId?.summary).toContain("deleted the automated backups of DB instance orders-db");
    expect(byArn?.resource).toBe(AUTOMATED_BACKUPS_ARN);
  });

  it("reads odd shapes without throwing", () => {
    const odd = [null, "text", 42, [], [{ deletionProtection: false }], { dBInstanceIdentifier: { nested: true } }];
    for (const name of ["ModifyDBInstance", "ModifyDBCluster", "DeleteDBSnapshot", "DeleteDBInstanceAutomatedBackup"]) {
      for (const value of odd) {
        expect(() => evaluate(record("rds.amazonaws.com", name, value, value))).not.toThrow();
      }
    }
    expect(evaluate(record("rds.amazonaws.com", "ModifyDBInstance", { deletionProtection: 0 }, null))).toBeUndefined();
    expect(
      evaluate(
        record("rds.amazonaws.com", "ModifyDBInstance", { dBInstanceIdentifier: 7, deletionProtection: false }, null),
      )?.facts,
    ).toMatchObject({ dbInstanceIdentifier: "" });
  });
});
