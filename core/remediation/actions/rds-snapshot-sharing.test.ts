import {
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBSnapshotAttributesCommand,
  DescribeDBSnapshotsCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  ModifyDBSnapshotAttributeCommand,
} from "@aws-sdk/client-rds";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { declaredIncident } from "../../../test/remediation/fixtures.js";
import { mockAws } from "../../../test/remediation/mock-aws.js";
import { awsError, remediateAndVerify, staticPlan } from "../../../test/remediation/run-action.js";

const aws = mockAws();
afterAll(() => aws.restore());
beforeEach(() => aws.reset());

const FOREIGN = "210987654321";
const PARTNER = "111122223333";
const shared = (facts: Record<string, unknown> = {}) =>
  declaredIncident("rds-snapshot-shared", "storage", {
    eventName: "ModifyDBSnapshotAttribute",
    snapshotIdentifier: "orders-nightly",
    cluster: false,
    addedValues: ["all", FOREIGN],
    ...facts,
  });
const clusterShared = (facts: Record<string, unknown> = {}) =>
  shared({ eventName: "ModifyDBClusterSnapshotAttribute", cluster: true, ...facts });

const restore = (values: string[]) => [{ AttributeName: "restore", AttributeValues: values }];
/** The DB snapshot's restore values read after read (the last from then on), and its tags. */
function dbSnapshot(reads: [...string[][], string[]], tags: { Key: string; Value: string }[] = []) {
  aws.rds
    .on(DescribeDBSnapshotsCommand)
    .resolves({ DBSnapshots: [{ DBSnapshotIdentifier: "orders-nightly", TagList: tags }] });
  const read = aws.rds.on(DescribeDBSnapshotAttributesCommand);
  const answer = (values: string[]) => ({ DBSnapshotAttributesResult: { DBSnapshotAttributes: restore(values) } });
  for (const values of reads.slice(0, -1)) read.resolvesOnce(answer(values));
  read.resolves(answer(reads.at(-1) ?? []));
}

describe("rds-snapshot-unshare: plan", () => {
  it("removes the values the event added from a DB snapshot", () => {
    expect(staticPlan("rds-snapshot-unshare", shared())).toMatchObject({
      ok: true,
      planned: {
        target: "RDS snapshot orders-nightly (us-east-1)",
        destructive: false,
        description: expect.stringMatching(/with everyone \(all\) and account 210987654321/),
        calls: [
          {
            service: "rds",
            operation: "ModifyDBSnapshotAttribute",
            params: {
              DBSnapshotIdentifier: "orders-nightly",
              AttributeName: "restore",
              ValuesToRemove: ["all", FOREIGN],
            },
            region: "us-east-1",
          },
        ],
      },
    });
  });

  it("uses the cluster snapshot API for a cluster snapshot", () => {
    expect(staticPlan("rds-snapshot-unshare", clusterShared({ addedValues: [FOREIGN] }))).toMatchObject({
      ok: true,
      planned: {
        target: "RDS cluster snapshot orders-nightly (us-east-1)",
        calls: [
          {
            service: "rds",
            operation: "ModifyDBClusterSnapshotAttribute",
            params: {
              DBClusterSnapshotIdentifier: "orders-nightly",
              AttributeName: "restore",
              ValuesToRemove: [FOREIGN],
            },
          },
        ],
      },
    });
  });

  it("takes the snapshot's ARN, with its region and type", () => {
    const arn = "arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:orders-nightly";
    const plan = staticPlan("rds-snapshot-unshare", shared({ snapshotIdentifier: arn }));

    expect(plan).toMatchObject({
      ok: true,
      planned: { calls: [{ operation: "ModifyDBClusterSnapshotAttribute", region: "eu-west-1" }] },
    });
  });

  it.each([
    [{ addedValues: [] }, /no added restore value/],
    [{ addedValues: ["123", "All", null] }, /no added restore value/],
    [{ addedValues: "all" }, /no added restore value/],
    [{ snapshotIdentifier: "rds:orders-2026-03-01" }, /name no DB snapshot/],
    [{ snapshotIdentifier: "arn:aws:rds:eu-west-1:210987654321:snapshot:theirs" }, /name no DB snapshot/],
    [{ snapshotIdentifier: 5 }, /name no DB snapshot/],
    [{ eventName: "CopyDBSnapshot" }, /does not undo "CopyDBSnapshot"/],
  ])("reports %j instead of planning", (facts, reason) => {
    expect(staticPlan("rds-snapshot-unshare", shared(facts))).toEqual({
      ok: false,
      note: expect.stringMatching(reason),
    });
  });
});

describe("rds-snapshot-unshare: live", () => {
  it("removes the added values still there, keeping an older share", async () => {
    dbSnapshot([["all", FOREIGN, PARTNER], [PARTNER]]);
    aws.rds.on(ModifyDBSnapshotAttributeCommand).resolves({});

    const { applied, verification } = await remediateAndVerify("rds-snapshot-unshare", shared());

    expect(aws.inputs("ModifyDBSnapshotAttributeCommand")).toEqual([
      { DBSnapshotIdentifier: "orders-nightly", AttributeName: "restore", ValuesToRemove: ["all", FOREIGN] },
    ]);
    expect(applied).toMatchObject({ outcome: "applied", after: { state: { values: [PARTNER] } } });
    expect(verification.verified).toBe(true);
  });

  it("reads and changes a cluster snapshot through the cluster API", async () => {
    aws.rds
      .on(DescribeDBClusterSnapshotsCommand)
      .resolves({ DBClusterSnapshots: [{ DBClusterSnapshotIdentifier: "orders-nightly", TagList: [] }] });
    aws.rds
      .on(DescribeDBClusterSnapshotAttributesCommand)
      .resolvesOnce({ DBClusterSnapshotAttributesResult: { DBClusterSnapshotAttributes: restore([FOREIGN]) } })
      .resolves({ DBClusterSnapshotAttributesResult: { DBClusterSnapshotAttributes: restore([]) } });
    aws.rds.on(ModifyDBClusterSnapshotAttributeCommand).resolves({});

    const { applied, verification } = await remediateAndVerify("rds-snapshot-unshare", clusterShared());

    expect(aws.inputs("ModifyDBClusterSnapshotAttributeCommand")).toEqual([
      { DBClusterSnapshotIdentifier: "orders-nightly", AttributeName: "restore", ValuesToRemove: [FOREIGN] },
    ]);
    expect(aws.inputs("DescribeDBSnapshotsCommand")).toEqual([]);
    expect(applied.outcome).toBe("applied");
    expect(verification.verified).toBe(true);
  });

  it("is already done when nothing the event added is left", async () => {
    dbSnapshot([[PARTNER]]);

    const { applied } = await remediateAndVerify("rds-snapshot-unshare", shared());

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("ModifyDBSnapshotAttributeCommand")).toEqual([]);
  });

  it("leaves a snapshot tagged as protected alone", async () => {
    dbSnapshot([["all"]], [{ Key: "riposte:protect", Value: "true" }]);

    const { applied } = await remediateAndVerify("rds-snapshot-unshare", shared());

    expect(applied).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/is protected/) });
    expect(aws.inputs("ModifyDBSnapshotAttributeCommand")).toEqual([]);
  });

  it.each([["DBSnapshotNotFound"], ["DBSnapshotNotFoundFault"]])(
    "treats a deleted snapshot (%s) as nothing left to share",
    async (code) => {
      aws.rds.on(DescribeDBSnapshotsCommand).rejects(awsError(code));

      const { applied, verification } = await remediateAndVerify("rds-snapshot-unshare", shared());

      expect(applied.outcome).toBe("gone");
      expect(verification.verified).toBe(true);
    },
  );

  it("fails verification when the snapshot is still public after the call", async () => {
    dbSnapshot([["all"]]);
    aws.rds.on(ModifyDBSnapshotAttributeCommand).resolves({});

    const { applied, verification } = await remediateAndVerify("rds-snapshot-unshare", shared());

    expect(applied.outcome).toBe("applied");
    expect(verification).toMatchObject({
      verified: false,
      checks: [expect.objectContaining({ ok: false, detail: "still shared with everyone (all)" })],
    });
  });
});
