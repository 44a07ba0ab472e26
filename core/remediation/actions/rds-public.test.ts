import { DescribeDBInstancesCommand, ModifyDBInstanceCommand } from "@aws-sdk/client-rds";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { incident } from "../../../test/remediation/fixtures.js";
import { mockAws } from "../../../test/remediation/mock-aws.js";
import { awsError, remediateAndVerify, staticPlan } from "../../../test/remediation/run-action.js";

const aws = mockAws();
afterAll(() => aws.restore());
beforeEach(() => aws.reset());

const madePublic = (facts: Record<string, unknown> = {}) =>
  incident("rds-instance-public", { eventName: "ModifyDBInstance", dbInstanceIdentifier: "orders-db", ...facts });
const approved = { approved: true };

/** The instance's PubliclyAccessible read after read (the last from then on). */
function instance(reads: [...boolean[], boolean], tags: { Key: string; Value: string }[] = []) {
  const answer = (value: boolean) => ({
    DBInstances: [{ DBInstanceIdentifier: "orders-db", PubliclyAccessible: value, TagList: tags }],
  });
  const read = aws.rds.on(DescribeDBInstancesCommand);
  for (const value of reads.slice(0, -1)) read.resolvesOnce(answer(value));
  read.resolves(answer(reads.at(-1) as boolean));
}

describe("rds-disable-public-access: plan", () => {
  it("makes the instance private, without ApplyImmediately (RDS applies it at once)", () => {
    expect(staticPlan("rds-disable-public-access", madePublic())).toMatchObject({
      ok: true,
      planned: {
        target: "RDS DB instance orders-db (us-east-1)",
        destructive: true,
        calls: [
          {
            service: "rds",
            operation: "ModifyDBInstance",
            params: { DBInstanceIdentifier: "orders-db", PubliclyAccessible: false },
            region: "us-east-1",
          },
        ],
      },
    });
  });

  it("takes the instance's ARN in this account, in the ARN's region", () => {
    const arn = "arn:aws:rds:eu-west-1:123456789012:db:orders-db";

    expect(staticPlan("rds-disable-public-access", madePublic({ dbInstanceIdentifier: arn }))).toMatchObject({
      ok: true,
      planned: {
        target: "RDS DB instance orders-db (eu-west-1)",
        calls: [{ params: { DBInstanceIdentifier: "orders-db", PubliclyAccessible: false }, region: "eu-west-1" }],
      },
    });
  });

  it("reports a cluster for a person: ModifyDBCluster takes no PubliclyAccessible", () => {
    const cluster = incident("rds-instance-public", {
      eventName: "ModifyDBCluster",
      dbClusterIdentifier: "orders-cluster",
    });

    expect(staticPlan("rds-disable-public-access", cluster)).toEqual({
      ok: false,
      note: expect.stringMatching(/ModifyDBCluster cannot change PubliclyAccessible/),
    });
  });

  it.each(["CreateDBInstance", "RestoreDBInstanceFromDBSnapshot"])("undoes %s too", (eventName) => {
    expect(staticPlan("rds-disable-public-access", madePublic({ eventName }))).toMatchObject({
      ok: true,
      planned: { calls: [{ operation: "ModifyDBInstance" }] },
    });
  });

  it.each([
    ["no database", { dbInstanceIdentifier: undefined }, /name no DB instance of this account/],
    ["an odd identifier", { dbInstanceIdentifier: "orders db" }, /name no DB instance of this account/],
    [
      "another account's database",
      { dbInstanceIdentifier: "arn:aws:rds:us-east-1:210987654321:db:theirs" },
      /name no DB instance of this account/,
    ],
    ["another event", { eventName: "RebootDBInstance" }, /does not undo "RebootDBInstance"/],
  ])("does not apply with %s", (_, facts, reason) => {
    expect(staticPlan("rds-disable-public-access", madePublic(facts))).toEqual({
      ok: false,
      note: expect.stringMatching(reason),
    });
  });
});

describe("rds-disable-public-access: live", () => {
  it("makes the instance private, keeps the previous value and verifies", async () => {
    instance([true, false], [{ Key: "team", Value: "orders" }]);
    aws.rds.on(ModifyDBInstanceCommand).resolves({});

    const { applied, verification } = await remediateAndVerify(
      "rds-disable-public-access",
      madePublic(),
      undefined,
      approved,
    );

    expect(aws.inputs("ModifyDBInstanceCommand")).toEqual([
      { DBInstanceIdentifier: "orders-db", PubliclyAccessible: false },
    ]);
    expect(applied).toMatchObject({
      outcome: "applied",
      before: { state: { publiclyAccessible: true } },
      after: { state: { publiclyAccessible: false } },
    });
    expect(verification.verified).toBe(true);
  });

  it("is already done when the database is private", async () => {
    instance([false]);

    const { applied } = await remediateAndVerify("rds-disable-public-access", madePublic(), undefined, approved);

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("ModifyDBInstanceCommand")).toEqual([]);
  });

  it("fails verification when the database still reads public", async () => {
    instance([true]);
    aws.rds.on(ModifyDBInstanceCommand).resolves({});

    const { verification } = await remediateAndVerify("rds-disable-public-access", madePublic(), undefined, approved);

    expect(verification).toMatchObject({
      verified: false,
      checks: [expect.objectContaining({ ok: false, detail: "PubliclyAccessible: true" })],
    });
  });

  it("counts a deleted database as gone", async () => {
    aws.rds.on(DescribeDBInstancesCommand).rejects(awsError("DBInstanceNotFoundFault"));

    const { applied } = await remediateAndVerify("rds-disable-public-access", madePublic(), undefined, approved);

    expect(applied.outcome).toBe("gone");
  });

  it("leaves a protected database alone", async () => {
    instance([true], [{ Key: "riposte:protect", Value: "true" }]);

    const { applied } = await remediateAndVerify("rds-disable-public-access", madePublic(), undefined, approved);

    expect(applied.outcome).toBe("skipped");
    expect(aws.inputs("ModifyDBInstanceCommand")).toEqual([]);
  });

  it("never runs without approval", async () => {
    const { applied } = await remediateAndVerify("rds-disable-public-access", madePublic());

    expect(applied).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/destructive/) });
    expect(aws.sent()).toEqual([]);
  });
});
