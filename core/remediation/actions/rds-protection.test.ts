import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  ModifyDBClusterCommand,
  ModifyDBInstanceCommand,
} from "@aws-sdk/client-rds";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { declaredIncident } from "../../../test/remediation/fixtures.js";
import { mockAws } from "../../../test/remediation/mock-aws.js";
import { awsError, remediateAndVerify, staticPlan } from "../../../test/remediation/run-action.js";

const aws = mockAws();
afterAll(() => aws.restore());
beforeEach(() => aws.reset());

const instanceIncident = (facts: Record<string, unknown> = {}) =>
  declaredIncident("rds-protection-removed", "storage", {
    eventName: "ModifyDBInstance",
    dbInstanceIdentifier: "orders-db",
    ...facts,
  });
const clusterIncident = (facts: Record<string, unknown> = {}) =>
  declaredIncident("rds-protection-removed", "storage", {
    eventName: "ModifyDBCluster",
    dbClusterIdentifier: "orders-cluster",
    ...facts,
  });

/** The instance's deletion protection read after read (the last from then on). */
function instance(
  reads: [...boolean[], boolean],
  extra: { tags?: { Key: string; Value: string }[]; cluster?: string } = {},
) {
  const answer = (protection: boolean) => ({
    DBInstances: [
      {
        DBInstanceIdentifier: "orders-db",
        DeletionProtection: protection,
        TagList: extra.tags ?? [],
        ...(extra.cluster ? { DBClusterIdentifier: extra.cluster } : {}),
      },
    ],
  });
  const read = aws.rds.on(DescribeDBInstancesCommand);
  for (const value of reads.slice(0, -1)) read.resolvesOnce(answer(value));
  read.resolves(answer(reads.at(-1) as boolean));
}

describe("rds-enable-deletion-protection: plan", () => {
  it("turns protection on for the instance, without ApplyImmediately", () => {
    expect(staticPlan("rds-enable-deletion-protection", instanceIncident())).toMatchObject({
      ok: true,
      planned: {
        target: "RDS DB instance orders-db (us-east-1)",
        destructive: false,
        calls: [
          {
            service: "rds",
            operation: "ModifyDBInstance",
            params: { DBInstanceIdentifier: "orders-db", DeletionProtection: true },
            region: "us-east-1",
          },
        ],
      },
    });
  });

  it("turns protection on for the cluster, named by its ARN", () => {
    const arn = "arn:aws:rds:eu-west-1:123456789012:cluster:orders-cluster";

    expect(staticPlan("rds-enable-deletion-protection", clusterIncident({ dbClusterIdentifier: arn }))).toMatchObject({
      ok: true,
      planned: {
        target: "RDS DB cluster orders-cluster (eu-west-1)",
        calls: [
          {
            service: "rds",
            operation: "ModifyDBCluster",
            params: { DBClusterIdentifier: "orders-cluster", DeletionProtection: true },
            region: "eu-west-1",
          },
        ],
      },
    });
  });

  it.each([
    ["DeleteDBSnapshot", /DB snapshot was deleted: deletion protection cannot bring it back/],
    ["DeleteDBClusterSnapshot", /DB cluster snapshot was deleted: deletion protection cannot bring it back/],
    ["DeleteDBInstanceAutomatedBackup", /automated backup was deleted: deletion protection cannot bring it back/],
    ["RebootDBInstance", /does not undo "RebootDBInstance"/],
  ])("reports %s instead of planning", (eventName, reason) => {
    expect(staticPlan("rds-enable-deletion-protection", instanceIncident({ eventName }))).toEqual({
      ok: false,
      note: expect.stringMatching(reason),
    });
  });

  it.each([
    [{ dbInstanceIdentifier: undefined }],
    [{ dbInstanceIdentifier: "1-starts-with-a-digit" }],
    [{ dbInstanceIdentifier: "orders db" }],
    [{ dbInstanceIdentifier: "arn:aws:rds:us-east-1:210987654321:db:theirs" }],
    [{ dbInstanceIdentifier: "arn:aws:rds:us-east-1:123456789012:cluster:orders-cluster" }],
    [{ dbInstanceIdentifier: { id: "orders-db" } }],
  ])("names no database from %j", (facts) => {
    expect(staticPlan("rds-enable-deletion-protection", instanceIncident(facts))).toEqual({
      ok: false,
      note: expect.stringMatching(/name no DB instance or DB cluster of this account/),
    });
  });
});

describe("rds-enable-deletion-protection: live", () => {
  it("turns protection on for the instance and verifies it", async () => {
    instance([false, true], { tags: [{ Key: "team", Value: "orders" }] });
    aws.rds.on(ModifyDBInstanceCommand).resolves({});

    const { applied, verification } = await remediateAndVerify("rds-enable-deletion-protection", instanceIncident());

    expect(aws.inputs("ModifyDBInstanceCommand")).toEqual([
      { DBInstanceIdentifier: "orders-db", DeletionProtection: true },
    ]);
    expect(applied).toMatchObject({
      outcome: "applied",
      before: { state: { deletionProtection: false }, tags: [{ team: "orders" }] },
      after: { state: { deletionProtection: true } },
    });
    expect(verification.verified).toBe(true);
  });

  it("turns protection on for the cluster", async () => {
    aws.rds
      .on(DescribeDBClustersCommand)
      .resolvesOnce({ DBClusters: [{ DeletionProtection: false, TagList: [] }] })
      .resolves({ DBClusters: [{ DeletionProtection: true, TagList: [] }] });
    aws.rds.on(ModifyDBClusterCommand).resolves({});

    const { applied, verification } = await remediateAndVerify("rds-enable-deletion-protection", clusterIncident());

    expect(aws.inputs("ModifyDBClusterCommand")).toEqual([
      { DBClusterIdentifier: "orders-cluster", DeletionProtection: true },
    ]);
    expect(aws.inputs("DescribeDBInstancesCommand")).toEqual([]);
    expect(applied.outcome).toBe("applied");
    expect(verification.verified).toBe(true);
  });

  it("is already done on a protected instance", async () => {
    instance([true]);

    const { applied } = await remediateAndVerify("rds-enable-deletion-protection", instanceIncident());

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("ModifyDBInstanceCommand")).toEqual([]);
  });

  it("leaves an instance tagged as protected alone", async () => {
    instance([false], { tags: [{ Key: "riposte:protect", Value: "true" }] });

    const { applied } = await remediateAndVerify("rds-enable-deletion-protection", instanceIncident());

    expect(applied).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/is protected/) });
    expect(aws.inputs("ModifyDBInstanceCommand")).toEqual([]);
  });

  it("does not set protection on a cluster member, saying it is the cluster's", async () => {
    instance([false], { cluster: "orders-aurora" });

    const { applied } = await remediateAndVerify("rds-enable-deletion-protection", instanceIncident());

    expect(applied).toMatchObject({
      outcome: "failed",
      error: expect.stringMatching(/belongs to DB cluster orders-aurora: deletion protection is set on the cluster/),
    });
    expect(aws.inputs("ModifyDBInstanceCommand")).toEqual([]);
  });

  it.each([["DBInstanceNotFound"], ["DBInstanceNotFoundFault"]])(
    "reports a deleted instance (%s) as gone, and fails verification",
    async (code) => {
      aws.rds.on(DescribeDBInstancesCommand).rejects(awsError(code));

      const { applied, verification } = await remediateAndVerify("rds-enable-deletion-protection", instanceIncident());

      expect(applied.outcome).toBe("gone");
      expect(verification).toMatchObject({
        verified: false,
        checks: [expect.objectContaining({ detail: expect.stringMatching(/was deleted: restore it/) })],
      });
    },
  );

  it("fails verification when protection still reads off after the call", async () => {
    instance([false]);
    aws.rds.on(ModifyDBInstanceCommand).resolves({});

    const { applied, verification } = await remediateAndVerify("rds-enable-deletion-protection", instanceIncident());

    expect(applied.outcome).toBe("applied");
    expect(verification).toMatchObject({
      verified: false,
      checks: [expect.objectContaining({ ok: false, detail: "DeletionProtection: false" })],
    });
  });
});
