import {
  ConfigServiceClient,
  DescribeConfigurationRecorderStatusCommand,
  PutConfigurationRecorderCommand,
  PutDeliveryChannelCommand,
  StartConfigurationRecorderCommand,
  StopConfigurationRecorderCommand,
} from "@aws-sdk/client-config-service";
import {
  CreateDetectorCommand,
  GetDetectorCommand,
  GuardDutyClient,
  UpdateDetectorCommand,
} from "@aws-sdk/client-guardduty";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT } from "../fixtures/events/cloudtrail.js";
import { LOGGING_SCENARIOS } from "../fixtures/events/scenarios/logging.js";
import { motoSuite } from "../remediation/harness.js";
import { motoAvailable } from "../support/moto.js";
import { type ServeLive, SUITE_OPTIONS, scenarioRecords, startServeLive } from "./serve.js";

/**
 * GuardDuty and AWS Config, end to end: the detector suspended and the configuration recorder
 * stopped in the emulated account, the scenarios' records (with moto's detector id) posted to
 * `riposte serve --remediate live`, and both are running again.
 */

const SCENARIO_DETECTOR = "12abc34d567e8fa901bc2d34e56789f0";

describe.skipIf(!motoAvailable())(
  motoSuite("riposte serve --remediate live: GuardDuty and AWS Config actions"),
  SUITE_OPTIONS,
  () => {
    let live: ServeLive;
    let guardduty: GuardDutyClient;
    let configService: ConfigServiceClient;
    let detectorId: string;

    beforeAll(async () => {
      live = await startServeLive();
      guardduty = new GuardDutyClient(live.aws());
      configService = new ConfigServiceClient(live.aws());

      // Arrange: the detector suspended and the recorder stopped, in the emulated account…
      detectorId = (
        await guardduty.send(new CreateDetectorCommand({ Enable: true, FindingPublishingFrequency: "SIX_HOURS" }))
      ).DetectorId!;
      await guardduty.send(new UpdateDetectorCommand({ DetectorId: detectorId, Enable: false }));
      const s3 = new S3Client({ ...live.aws(), forcePathStyle: true });
      await s3.send(new CreateBucketCommand({ Bucket: "config-history" }));
      s3.destroy();
      await configService.send(
        new PutConfigurationRecorderCommand({
          ConfigurationRecorder: {
            name: "default",
            roleARN: `arn:aws:iam::${ACCOUNT}:role/config-recorder`,
            recordingGroup: { allSupported: true },
          },
        }),
      );
      await configService.send(
        new PutDeliveryChannelCommand({ DeliveryChannel: { name: "default", s3BucketName: "config-history" } }),
      );
      await configService.send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: "default" }));
      await configService.send(new StopConfigurationRecorderCommand({ ConfigurationRecorderName: "default" }));

      // …and the scenarios' records, in one delivery.
      await live.deliver(
        ...scenarioRecords(
          LOGGING_SCENARIOS,
          "guardduty-disabled",
          "the detector suspended (UpdateDetector enable false)",
          { [SCENARIO_DETECTOR]: detectorId },
        ),
        ...scenarioRecords(LOGGING_SCENARIOS, "config-recording-stopped", "the configuration recorder stopped"),
      );
    });
    afterAll(async () => {
      guardduty?.destroy();
      configService?.destroy();
      await live?.stop();
    });

    it("guardduty-disabled → guardduty-enable-detector turns the detector back on, keeping its settings", async () => {
      const incident = await live.settle("guardduty-disabled", ["MITIGATED", "FAILED"]);

      expect(incident).toMatchObject({ status: "MITIGATED", mode: "live" });
      expect(incident.actions).toMatchObject([{ action: "guardduty-enable-detector", outcome: "applied" }]);
      const detector = await guardduty.send(new GetDetectorCommand({ DetectorId: detectorId }));
      expect(detector).toMatchObject({ Status: "ENABLED", FindingPublishingFrequency: "SIX_HOURS" });
    });

    it("config-recording-stopped → config-start-recorder starts the recorder again", async () => {
      const incident = await live.settle("config-recording-stopped", ["MITIGATED", "FAILED"]);

      expect(incident).toMatchObject({ status: "MITIGATED", mode: "live" });
      expect(incident.actions).toMatchObject([{ action: "config-start-recorder", outcome: "applied" }]);
      const status = await configService.send(
        new DescribeConfigurationRecorderStatusCommand({ ConfigurationRecorderNames: ["default"] }),
      );
      expect(status.ConfigurationRecordersStatus?.[0]?.recording).toBe(true);
    });
  },
);
