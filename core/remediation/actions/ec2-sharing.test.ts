import {
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  GetSnapshotBlockPublicAccessStateCommand,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { declaredIncident } from "../../../test/remediation/fixtures.js";
import { mockAws } from "../../../test/remediation/mock-aws.js";
import { awsError, remediateAndVerify, staticPlan } from "../../../test/remediation/run-action.js";

const aws = mockAws();
afterAll(() => aws.restore());
beforeEach(() => aws.reset());

const SNAPSHOT = "snap-0123456789abcdef0";
const IMAGE = "ami-0123456789abcdef0";
const FOREIGN = "210987654321";
const PARTNER = "111122223333";

const snapshotShared = (facts: Record<string, unknown> = {}) =>
  declaredIncident(
    "ebs-snapshot-shared",
    "storage",
    { eventName: "ModifySnapshotAttribute", snapshotId: SNAPSHOT, addedGroups: ["all"], addedUserIds: [], ...facts },
    { region: "eu-west-1" },
  );
const imageShared = (facts: Record<string, unknown> = {}) =>
  declaredIncident(
    "ami-shared",
    "storage",
    { eventName: "ModifyImageAttribute", imageId: IMAGE, addedGroups: [], addedUserIds: [FOREIGN], ...facts },
    { region: "eu-west-1" },
  );

type Permission = { Group?: "all"; UserId?: string };
/** The snapshot's create-volume permissions read after read (the last from then on), and its tags. */
function snapshotReads(permissions: [...Permission[][], Permission[]], tags: { Key: string; Value: string }[] = []) {
  aws.ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: SNAPSHOT, Tags: tags }] });
  const read = aws.ec2.on(DescribeSnapshotAttributeCommand);
  for (const list of permissions.slice(0, -1)) read.resolvesOnce({ CreateVolumePermissions: list });
  read.resolves({ CreateVolumePermissions: permissions.at(-1) });
}
function imageReads(permissions: [...Permission[][], Permission[]], tags: { Key: string; Value: string }[] = []) {
  aws.ec2.on(DescribeImagesCommand).resolves({ Images: [{ ImageId: IMAGE, Tags: tags }] });
  const read = aws.ec2.on(DescribeImageAttributeCommand);
  for (const list of permissions.slice(0, -1)) read.resolvesOnce({ LaunchPermissions: list });
  read.resolves({ LaunchPermissions: permissions.at(-1) });
}

describe("ebs-snapshot-unshare: plan", () => {
  it("removes the public group the event added", () => {
    expect(staticPlan("ebs-snapshot-unshare", snapshotShared())).toMatchObject({
      ok: true,
      planned: {
        target: `EBS snapshot ${SNAPSHOT} (eu-west-1)`,
        destructive: false,
        description: expect.stringMatching(/with everyone \(group all\): remove the create-volume permission/),
        calls: [
          {
            service: "ec2",
            operation: "ModifySnapshotAttribute",
            params: {
              SnapshotId: SNAPSHOT,
              Attribute: "createVolumePermission",
              OperationType: "remove",
              GroupNames: ["all"],
            },
            region: "eu-west-1",
          },
        ],
      },
    });
  });

  it("removes the group and the accounts together, keeping only valid entries", () => {
    const plan = staticPlan(
      "ebs-snapshot-unshare",
      snapshotShared({ addedGroups: ["all", "admins", 7], addedUserIds: [FOREIGN, PARTNER, "12", null, FOREIGN] }),
    );

    expect(plan.ok && plan.planned.calls[0]?.params).toEqual({
      SnapshotId: SNAPSHOT,
      Attribute: "createVolumePermission",
      OperationType: "remove",
      GroupNames: ["all"],
      UserIds: [FOREIGN, PARTNER],
    });
  });

  it.each([
    [{ addedGroups: [], addedUserIds: [] }, /name no added share/],
    [{ addedGroups: "all", addedUserIds: null }, /name no added share/],
    [{ snapshotId: "vol-0123456789abcdef0" }, /name no snapshotId/],
    [{ snapshotId: ["snap-1"] }, /name no snapshotId/],
    [{ eventName: "ResetSnapshotAttribute" }, /does not undo "ResetSnapshotAttribute"/],
  ])("reports %j instead of planning", (facts, reason) => {
    expect(staticPlan("ebs-snapshot-unshare", snapshotShared(facts))).toEqual({
      ok: false,
      note: expect.stringMatching(reason),
    });
  });
});

describe("ami-unshare: plan", () => {
  it("removes the accounts the event added", () => {
    expect(staticPlan("ami-unshare", imageShared())).toMatchObject({
      ok: true,
      planned: {
        target: `AMI ${IMAGE} (eu-west-1)`,
        description: expect.stringMatching(/with account 210987654321: remove the launch permission/),
        calls: [
          {
            service: "ec2",
            operation: "ModifyImageAttribute",
            params: { ImageId: IMAGE, Attribute: "launchPermission", OperationType: "remove", UserIds: [FOREIGN] },
            region: "eu-west-1",
          },
        ],
      },
    });
  });

  it("removes the public group as UserGroups", () => {
    const plan = staticPlan("ami-unshare", imageShared({ addedGroups: ["all"], addedUserIds: [] }));

    expect(plan.ok && plan.planned.calls[0]?.params).toEqual({
      ImageId: IMAGE,
      Attribute: "launchPermission",
      OperationType: "remove",
      UserGroups: ["all"],
    });
  });

  it("names no image from a snapshot id", () => {
    expect(staticPlan("ami-unshare", imageShared({ imageId: SNAPSHOT }))).toEqual({
      ok: false,
      note: expect.stringMatching(/name no imageId/),
    });
  });
});

describe("ebs-snapshot-unshare: live", () => {
  it("removes what the event added and still holds, keeping an older share", async () => {
    snapshotReads([[{ Group: "all" }, { UserId: FOREIGN }, { UserId: PARTNER }], [{ UserId: PARTNER }]]);
    aws.ec2.on(ModifySnapshotAttributeCommand).resolves({});

    const { applied, verification } = await remediateAndVerify(
      "ebs-snapshot-unshare",
      snapshotShared({ addedUserIds: [FOREIGN] }),
    );

    expect(aws.inputs("ModifySnapshotAttributeCommand")).toEqual([
      {
        SnapshotId: SNAPSHOT,
        Attribute: "createVolumePermission",
        OperationType: "remove",
        GroupNames: ["all"],
        UserIds: [FOREIGN],
      },
    ]);
    expect(applied).toMatchObject({ outcome: "applied", after: { state: { groups: [], userIds: [PARTNER] } } });
    expect(verification.verified).toBe(true);
  });

  it("removes only the part still there", async () => {
    snapshotReads([[{ UserId: FOREIGN }], []]);
    aws.ec2.on(ModifySnapshotAttributeCommand).resolves({});

    await remediateAndVerify("ebs-snapshot-unshare", snapshotShared({ addedUserIds: [FOREIGN] }));

    expect(aws.inputs("ModifySnapshotAttributeCommand")).toEqual([
      { SnapshotId: SNAPSHOT, Attribute: "createVolumePermission", OperationType: "remove", UserIds: [FOREIGN] },
    ]);
  });

  it("is already done when nothing the event added is left", async () => {
    snapshotReads([[{ UserId: PARTNER }]]);

    const { applied, verification } = await remediateAndVerify("ebs-snapshot-unshare", snapshotShared());

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("ModifySnapshotAttributeCommand")).toEqual([]);
    expect(verification.verified).toBe(true);
  });

  it("leaves a snapshot tagged as protected alone", async () => {
    snapshotReads([[{ Group: "all" }]], [{ Key: "riposte:protect", Value: "true" }]);

    const { applied } = await remediateAndVerify("ebs-snapshot-unshare", snapshotShared());

    expect(applied).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/is protected/) });
    expect(aws.inputs("ModifySnapshotAttributeCommand")).toEqual([]);
  });

  it("treats a deleted snapshot as nothing left to share", async () => {
    aws.ec2.on(DescribeSnapshotsCommand).rejects(awsError("InvalidSnapshot.NotFound"));

    const { applied, verification } = await remediateAndVerify("ebs-snapshot-unshare", snapshotShared());

    expect(applied.outcome).toBe("gone");
    expect(verification.verified).toBe(true);
  });

  it("fails verification when the snapshot is still public after the call", async () => {
    snapshotReads([[{ Group: "all" }]]);
    aws.ec2.on(ModifySnapshotAttributeCommand).resolves({});

    const { applied, verification } = await remediateAndVerify("ebs-snapshot-unshare", snapshotShared());

    expect(applied.outcome).toBe("applied");
    expect(verification).toMatchObject({
      verified: false,
      checks: [expect.objectContaining({ ok: false, detail: "still shared with everyone (group all)" })],
    });
  });
});

describe("ebs-snapshot-unshare: snapshot block public access report", () => {
  const blockState = (State: "unblocked" | "block-new-sharing" | "block-all-sharing") =>
    aws.ec2.on(GetSnapshotBlockPublicAccessStateCommand).resolves({ State });

  it("reports an unblocked region as what would have prevented a public share, and still unshares", async () => {
    snapshotReads([[{ Group: "all" }], []]);
    blockState("unblocked");
    aws.ec2.on(ModifySnapshotAttributeCommand).resolves({});

    const { applied, verification } = await remediateAndVerify("ebs-snapshot-unshare", snapshotShared());

    expect(aws.inputs("GetSnapshotBlockPublicAccessStateCommand")).toContainEqual({});
    expect(applied).toMatchObject({
      outcome: "applied",
      before: {
        state: {
          blockPublicAccess: {
            state: "unblocked",
            report:
              "snapshot block public access in eu-west-1 is unblocked; enabling block-all-sharing would have prevented this public share",
          },
        },
      },
    });
    expect(aws.inputs("ModifySnapshotAttributeCommand")).toHaveLength(1);
    expect(verification.verified).toBe(true);
  });

  it("says an unblocked region would not have stopped sharing with an account", async () => {
    snapshotReads([[{ UserId: FOREIGN }], []]);
    blockState("unblocked");
    aws.ec2.on(ModifySnapshotAttributeCommand).resolves({});

    const { applied } = await remediateAndVerify(
      "ebs-snapshot-unshare",
      snapshotShared({ addedGroups: [], addedUserIds: [FOREIGN] }),
    );

    expect(applied).toMatchObject({
      before: { state: { blockPublicAccess: { report: expect.stringMatching(/blocks public sharing only/) } } },
    });
  });

  it("reports a region that blocks all sharing", async () => {
    snapshotReads([[{ Group: "all" }], []]);
    blockState("block-all-sharing");
    aws.ec2.on(ModifySnapshotAttributeCommand).resolves({});

    const { applied } = await remediateAndVerify("ebs-snapshot-unshare", snapshotShared());

    expect(applied).toMatchObject({
      outcome: "applied",
      after: {
        state: {
          blockPublicAccess: {
            state: "block-all-sharing",
            report:
              "snapshot block public access in eu-west-1 is block-all-sharing: no snapshot of this region can be shared publicly",
          },
        },
      },
    });
  });

  it.each(["UnauthorizedOperation", "AccessDenied"])(
    "reports the setting as unknown when reading it is refused (%s), and still unshares",
    async (code) => {
      snapshotReads([[{ Group: "all" }], []]);
      aws.ec2.on(GetSnapshotBlockPublicAccessStateCommand).rejects(awsError(code));
      aws.ec2.on(ModifySnapshotAttributeCommand).resolves({});

      const { applied, verification } = await remediateAndVerify("ebs-snapshot-unshare", snapshotShared());

      expect(applied).toMatchObject({
        outcome: "applied",
        before: {
          state: {
            blockPublicAccess: {
              state: "unknown",
              report: `snapshot block public access in eu-west-1 is unknown: reading it failed (${code})`,
            },
          },
        },
      });
      expect(aws.inputs("ModifySnapshotAttributeCommand")).toHaveLength(1);
      expect(verification.verified).toBe(true);
    },
  );
});

describe("ami-unshare: live", () => {
  it("removes the added account, keeping an older one", async () => {
    imageReads([[{ UserId: FOREIGN }, { UserId: PARTNER }], [{ UserId: PARTNER }]]);
    aws.ec2.on(ModifyImageAttributeCommand).resolves({});

    const { applied, verification } = await remediateAndVerify("ami-unshare", imageShared());

    expect(aws.inputs("ModifyImageAttributeCommand")).toEqual([
      { ImageId: IMAGE, Attribute: "launchPermission", OperationType: "remove", UserIds: [FOREIGN] },
    ]);
    expect(applied.outcome).toBe("applied");
    expect(verification.verified).toBe(true);
  });

  it("treats a deregistered image as gone", async () => {
    aws.ec2.on(DescribeImagesCommand).resolves({ Images: [] });

    const { applied, verification } = await remediateAndVerify("ami-unshare", imageShared());

    expect(applied.outcome).toBe("gone");
    expect(aws.inputs("DescribeImageAttributeCommand")).toEqual([]);
    expect(verification.verified).toBe(true);
  });

  it("fails verification when the account can still launch it after the call", async () => {
    imageReads([[{ UserId: FOREIGN }]]);
    aws.ec2.on(ModifyImageAttributeCommand).resolves({});

    const { verification } = await remediateAndVerify("ami-unshare", imageShared());

    expect(verification).toMatchObject({
      verified: false,
      checks: [expect.objectContaining({ ok: false, detail: `still shared with account ${FOREIGN}` })],
    });
  });
});
