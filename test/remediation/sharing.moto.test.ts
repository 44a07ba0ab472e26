import {
  CreateSnapshotCommand,
  CreateTagsCommand,
  CreateVolumeCommand,
  DeleteSnapshotCommand,
  DescribeImageAttributeCommand,
  DescribeSnapshotAttributeCommand,
  EC2Client,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
  RegisterImageCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RemediationActionId } from "../../core/model/actions.js";
import type { WorkingIncident } from "../../core/model/tasks.js";
import { type MotoServer, motoAvailable, motoClientConfig, startMoto } from "../support/moto.js";
import { config, declaredIncident, REGION } from "./fixtures.js";
import { motoGateway, motoSuite, runEndToEnd, taskDeps } from "./harness.js";

/**
 * The sharing actions against moto: a snapshot or image is shared the way the detections see it
 * shared (on top of an older, legitimate share), the action runs through remediate and verify,
 * and the emulated account shows exactly the added share gone and the older one kept. The
 * detections (issue 15) still answer notify, so each action is planned directly.
 */

const FOREIGN = "210987654321";
const PARTNER = "111122223333";

describe.skipIf(!motoAvailable())(motoSuite("snapshot and image sharing actions"), () => {
  let moto: MotoServer;
  let ec2: EC2Client;
  beforeAll(async () => {
    moto = await startMoto();
    ec2 = new EC2Client(motoClientConfig(moto.endpoint, REGION));
  });
  beforeEach(async () => moto.reset());
  afterAll(async () => moto?.stop());

  const run = (incident: WorkingIncident, action: RemediationActionId) =>
    runEndToEnd(incident, taskDeps(config()), motoGateway(moto.endpoint), { action });

  describe("ebs-snapshot-unshare", () => {
    async function sharedSnapshot(tags: { Key: string; Value: string }[] = []): Promise<string> {
      const volume = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: `${REGION}a`, Size: 8 }));
      const { SnapshotId } = await ec2.send(new CreateSnapshotCommand({ VolumeId: volume.VolumeId }));
      const snapshotId = SnapshotId as string;
      const add = (input: { GroupNames?: string[]; UserIds?: string[] }) =>
        ec2.send(
          new ModifySnapshotAttributeCommand({
            SnapshotId: snapshotId,
            Attribute: "createVolumePermission",
            OperationType: "add",
            ...input,
          }),
        );
      await add({ UserIds: [PARTNER] });
      await add({ GroupNames: ["all"], UserIds: [FOREIGN] });
      if (tags.length > 0) await ec2.send(new CreateTagsCommand({ Resources: [snapshotId], Tags: tags }));
      return snapshotId;
    }
    const permissions = async (snapshotId: string) =>
      (
        await ec2.send(
          new DescribeSnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: "createVolumePermission" }),
        )
      ).CreateVolumePermissions;
    const sharedIncident = (snapshotId: string) =>
      declaredIncident("ebs-snapshot-shared", "storage", {
        eventName: "ModifySnapshotAttribute",
        snapshotId,
        addedGroups: ["all"],
        addedUserIds: [FOREIGN],
      });

    it("removes the public and foreign shares the event added, keeping the older one", async () => {
      const snapshotId = await sharedSnapshot();

      const result = await run(sharedIncident(snapshotId), "ebs-snapshot-unshare");

      expect(await permissions(snapshotId)).toEqual([{ UserId: PARTNER }]);
      expect(result.actions.map((a) => a.outcome)).toEqual(["applied"]);
      expect(result.verification.verified).toBe(true);
    });

    it("is already done the second time", async () => {
      const snapshotId = await sharedSnapshot();
      await run(sharedIncident(snapshotId), "ebs-snapshot-unshare");

      const again = await run({ ...sharedIncident(snapshotId), id: "inc-again" }, "ebs-snapshot-unshare");

      expect(again.actions.map((a) => [a.outcome, a.calls])).toEqual([["already-done", []]]);
      expect(await permissions(snapshotId)).toEqual([{ UserId: PARTNER }]);
    });

    it("leaves a protected snapshot shared", async () => {
      const snapshotId = await sharedSnapshot([{ Key: "riposte:protect", Value: "true" }]);

      const result = await run(sharedIncident(snapshotId), "ebs-snapshot-unshare");

      expect(result.actions.map((a) => a.outcome)).toEqual(["skipped"]);
      expect(await permissions(snapshotId)).toHaveLength(3);
    });

    it("treats a snapshot deleted since as nothing left to share", async () => {
      const snapshotId = await sharedSnapshot();
      await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));

      const result = await run(sharedIncident(snapshotId), "ebs-snapshot-unshare");

      expect(result.actions.map((a) => a.outcome)).toEqual(["gone"]);
      expect(result.verification.verified).toBe(true);
    });
  });

  describe("ami-unshare", () => {
    async function sharedImage(): Promise<string> {
      const { ImageId } = await ec2.send(new RegisterImageCommand({ Name: "orders-web" }));
      const imageId = ImageId as string;
      await ec2.send(
        new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Add: [{ UserId: PARTNER }] } }),
      );
      await ec2.send(
        new ModifyImageAttributeCommand({
          ImageId: imageId,
          LaunchPermission: { Add: [{ Group: "all" }, { UserId: FOREIGN }] },
        }),
      );
      return imageId;
    }
    const launchPermissions = async (imageId: string) =>
      (await ec2.send(new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: "launchPermission" })))
        .LaunchPermissions;

    it("removes the public and foreign launch permissions the event added, keeping the older one", async () => {
      const imageId = await sharedImage();
      const incident = declaredIncident("ami-shared", "storage", {
        eventName: "ModifyImageAttribute",
        imageId,
        addedGroups: ["all"],
        addedUserIds: [FOREIGN],
      });

      const result = await run(incident, "ami-unshare");

      expect(await launchPermissions(imageId)).toEqual([{ UserId: PARTNER }]);
      expect(result.actions[0]?.calls.map((call) => call.params)).toEqual([
        {
          ImageId: imageId,
          Attribute: "launchPermission",
          OperationType: "remove",
          UserGroups: ["all"],
          UserIds: [FOREIGN],
        },
      ]);
      expect(result.verification.verified).toBe(true);
    });
  });
});
