import {
  CreateSnapshotCommand,
  CreateVolumeCommand,
  DescribeImageAttributeCommand,
  DescribeSnapshotAttributeCommand,
  EC2Client,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
  RegisterImageCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REGION } from "../fixtures/events/cloudtrail.js";
import {
  FOREIGN,
  modifyImageAttribute,
  modifySnapshotAttribute,
  permissionItems,
} from "../fixtures/events/scenarios/storage-exposure.js";
import { motoSuite } from "../remediation/harness.js";
import { motoAvailable } from "../support/moto.js";
import { now, type ServeLive, SUITE_OPTIONS, startServeLive } from "./serve.js";

/**
 * EC2 sharing family, end to end: a snapshot made public and shared with a foreign account, an
 * image the same, each on top of an older share with a partner; the scenario records (with
 * moto's ids) go to `riposte serve --remediate live`, and exactly the added shares are removed.
 */

const PARTNER = "111122223333";

describe.skipIf(!motoAvailable())(
  motoSuite("riposte serve --remediate live: EC2 sharing actions"),
  SUITE_OPTIONS,
  () => {
    let live: ServeLive;
    let ec2: EC2Client;
    let snapshotId: string;
    let imageId: string;

    beforeAll(async () => {
      live = await startServeLive();
      ec2 = new EC2Client(live.aws());

      // Arrange: the shares, made in the emulated account…
      const volume = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: `${REGION}a`, Size: 8 }));
      snapshotId = (await ec2.send(new CreateSnapshotCommand({ VolumeId: volume.VolumeId }))).SnapshotId!;
      const shareSnapshot = (input: { GroupNames?: string[]; UserIds?: string[] }) =>
        ec2.send(
          new ModifySnapshotAttributeCommand({
            SnapshotId: snapshotId,
            Attribute: "createVolumePermission",
            OperationType: "add",
            ...input,
          }),
        );
      await shareSnapshot({ UserIds: [PARTNER] });
      await shareSnapshot({ GroupNames: ["all"], UserIds: [FOREIGN] });
      imageId = (await ec2.send(new RegisterImageCommand({ Name: "orders-web" }))).ImageId!;
      await ec2.send(
        new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Add: [{ UserId: PARTNER }] } }),
      );
      await ec2.send(
        new ModifyImageAttributeCommand({
          ImageId: imageId,
          LaunchPermission: { Add: [{ Group: "all" }, { UserId: FOREIGN }] },
        }),
      );

      // …and the records CloudTrail logs for the second share of each, in one delivery.
      const time = now();
      await live.deliver(
        modifySnapshotAttribute(
          { add: permissionItems({ group: "all" }, { userId: FOREIGN }) },
          { time },
          { snapshotId },
        ),
        modifyImageAttribute({ add: permissionItems({ group: "all" }, { userId: FOREIGN }) }, { time }, { imageId }),
      );
    });
    afterAll(async () => {
      ec2?.destroy();
      await live?.stop();
    });

    it("ebs-snapshot-shared → ebs-snapshot-unshare removes the public and foreign shares, keeps the partner's", async () => {
      const incident = await live.settle("ebs-snapshot-shared", ["MITIGATED", "FAILED"]);

      expect(incident).toMatchObject({ status: "MITIGATED", mode: "live" });
      expect(incident.actions).toMatchObject([{ action: "ebs-snapshot-unshare", outcome: "applied" }]);
      const after = await ec2.send(
        new DescribeSnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: "createVolumePermission" }),
      );
      expect(after.CreateVolumePermissions).toEqual([{ UserId: PARTNER }]);
    });

    it("ami-shared → ami-unshare removes the public and foreign launch permissions, keeps the partner's", async () => {
      const incident = await live.settle("ami-shared", ["MITIGATED", "FAILED"]);

      expect(incident).toMatchObject({ status: "MITIGATED", mode: "live" });
      expect(incident.actions).toMatchObject([{ action: "ami-unshare", outcome: "applied" }]);
      const after = await ec2.send(
        new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: "launchPermission" }),
      );
      expect(after.LaunchPermissions).toEqual([{ UserId: PARTNER }]);
    });
  },
);
