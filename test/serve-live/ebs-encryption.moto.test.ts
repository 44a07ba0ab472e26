import {
  DisableEbsEncryptionByDefaultCommand,
  EC2Client,
  EnableEbsEncryptionByDefaultCommand,
  GetEbsEncryptionByDefaultCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STORAGE_PROTECTION_SCENARIOS } from "../fixtures/events/scenarios/storage-protection.js";
import { motoSuite } from "../remediation/harness.js";
import { motoAvailable } from "../support/moto.js";
import { type ServeLive, SUITE_OPTIONS, scenarioRecords, startServeLive } from "./serve.js";

/**
 * EBS default encryption, end to end: encryption by default turned off in the emulated region,
 * the scenario's record posted to `riposte serve --remediate live`, and the setting is on again.
 */

describe.skipIf(!motoAvailable())(
  motoSuite("riposte serve --remediate live: EBS default encryption"),
  SUITE_OPTIONS,
  () => {
    let live: ServeLive;
    let ec2: EC2Client;

    beforeAll(async () => {
      live = await startServeLive();
      ec2 = new EC2Client(live.aws());
      await ec2.send(new EnableEbsEncryptionByDefaultCommand({}));
      await ec2.send(new DisableEbsEncryptionByDefaultCommand({}));
    });
    afterAll(async () => {
      ec2?.destroy();
      await live?.stop();
    });

    it("ebs-default-encryption-disabled → ebs-enable-default-encryption turns it back on", async () => {
      expect((await ec2.send(new GetEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault).toBe(false);
      await live.deliver(
        ...scenarioRecords(
          STORAGE_PROTECTION_SCENARIOS,
          "ebs-default-encryption-disabled",
          "EBS encryption by default turned off",
        ),
      );

      const incident = await live.settle("ebs-default-encryption-disabled", ["MITIGATED", "FAILED"]);

      expect(incident).toMatchObject({ status: "MITIGATED", mode: "live" });
      expect(incident.actions).toMatchObject([{ action: "ebs-enable-default-encryption", outcome: "applied" }]);
      expect((await ec2.send(new GetEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault).toBe(true);
    });
  },
);
