import {
  ConfigServiceClient,
  DeleteConfigurationRecorderCommand,
  DescribeConfigurationRecorderStatusCommand,
  PutConfigurationRecorderCommand,
  PutDeliveryChannelCommand,
  StartConfigurationRecorderCommand,
  StopConfigurationRecorderCommand,
} from "@aws-sdk/client-config-service";
import {
  CreateDetectorCommand,
  DeleteDetectorCommand,
  GetDetectorCommand,
  GuardDutyClient,
  UpdateDetectorCommand,
} from "@aws-sdk/client-guardduty";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type MotoServer, motoAvailable, motoClientConfig, startMoto } from "../support/moto.js";
import { ACCOUNT, config, declaredIncident, REGION } from "./fixtures.js";
import { motoGateway, motoSuite, runEndToEnd, taskDeps } from "./harness.js";

/**
 * The GuardDuty and AWS Config actions against moto: the emulated account is changed the way the
 * detections see it changed, the action runs through remediate and verify, and the account is
 * read again. The detections (issue 15) still answer notify, so the action is planned directly.
 * moto's configuration recorders carry no ARN (so no tags): the protected-tag guardrail on a
 * recorder is covered with aws-sdk-client-mock in core/remediation/actions/config-recorder.test.ts.
 */

describe.skipIf(!motoAvailable())(motoSuite("GuardDuty and AWS Config actions"), () => {
  let moto: MotoServer;
  let guardduty: GuardDutyClient;
  let configService: ConfigServiceClient;
  beforeAll(async () => {
    moto = await startMoto();
    guardduty = new GuardDutyClient(motoClientConfig(moto.endpoint, REGION));
    configService = new ConfigServiceClient(motoClientConfig(moto.endpoint, REGION));
  });
  beforeEach(async () => moto.reset());
  afterAll(async () => moto?.stop());

  async function suspendedDetector(): Promise<string> {
    const { DetectorId } = await guardduty.send(
      new CreateDetectorCommand({ Enable: true, FindingPublishingFrequency: "SIX_HOURS" }),
    );
    await guardduty.send(new UpdateDetectorCommand({ DetectorId, Enable: false }));
    return DetectorId as string;
  }
  const detectorIncident = (detectorId: string, eventName = "UpdateDetector") =>
    declaredIncident("guardduty-disabled", "logging", { eventName, detectorId });

  it("turns a suspended detector back on, keeping its settings", async () => {
    const detectorId = await suspendedDetector();

    const result = await runEndToEnd(detectorIncident(detectorId), taskDeps(config()), motoGateway(moto.endpoint), {
      action: "guardduty-enable-detector",
    });

    const detector = await guardduty.send(new GetDetectorCommand({ DetectorId: detectorId }));
    expect(detector).toMatchObject({ Status: "ENABLED", FindingPublishingFrequency: "SIX_HOURS" });
    expect(result.actions.map((a) => [a.outcome, a.calls])).toEqual([
      [
        "applied",
        [
          {
            service: "guardduty",
            operation: "UpdateDetector",
            params: { DetectorId: detectorId, Enable: true },
            region: REGION,
          },
        ],
      ],
    ]);
    expect(result.verification.verified).toBe(true);
  });

  it("is already done when run again", async () => {
    const detectorId = await suspendedDetector();
    const gateway = motoGateway(moto.endpoint);
    await runEndToEnd(detectorIncident(detectorId), taskDeps(config()), gateway, {
      action: "guardduty-enable-detector",
    });

    const again = await runEndToEnd({ ...detectorIncident(detectorId), id: "inc-again" }, taskDeps(config()), gateway, {
      action: "guardduty-enable-detector",
    });

    expect(again.actions.map((a) => a.outcome)).toEqual(["already-done"]);
    expect(again.verification.verified).toBe(true);
  });

  it("reports a detector deleted since, and fails verification", async () => {
    const detectorId = await suspendedDetector();
    await guardduty.send(new DeleteDetectorCommand({ DetectorId: detectorId }));

    const result = await runEndToEnd(detectorIncident(detectorId), taskDeps(config()), motoGateway(moto.endpoint), {
      action: "guardduty-enable-detector",
    });

    expect(result.actions.map((a) => a.outcome)).toEqual(["gone"]);
    expect(result.verification.verified).toBe(false);
    expect(result.stored.verification?.verified).toBe(false);
  });

  async function stoppedRecorder(name: string): Promise<void> {
    await configService.send(
      new PutConfigurationRecorderCommand({
        ConfigurationRecorder: {
          name,
          roleARN: `arn:aws:iam::${ACCOUNT}:role/config-recorder`,
          recordingGroup: { allSupported: true, includeGlobalResourceTypes: false },
        },
      }),
    );
    await configService.send(
      new PutDeliveryChannelCommand({ DeliveryChannel: { name: "default", s3BucketName: "config-history" } }),
    );
    await configService.send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: name }));
    await configService.send(new StopConfigurationRecorderCommand({ ConfigurationRecorderName: name }));
  }
  const recorderIncident = (recorderName: string, eventName = "StopConfigurationRecorder") =>
    declaredIncident("config-recording-stopped", "logging", { eventName, recorderName });
  const recording = async (name: string) =>
    (await configService.send(new DescribeConfigurationRecorderStatusCommand({ ConfigurationRecorderNames: [name] })))
      .ConfigurationRecordersStatus?.[0]?.recording;

  it("starts a stopped configuration recorder again", async () => {
    await stoppedRecorder("default");
    expect(await recording("default")).toBe(false);

    const result = await runEndToEnd(recorderIncident("default"), taskDeps(config()), motoGateway(moto.endpoint), {
      action: "config-start-recorder",
    });

    expect(await recording("default")).toBe(true);
    expect(result.actions[0]?.calls).toEqual([
      {
        service: "config",
        operation: "StartConfigurationRecorder",
        params: { ConfigurationRecorderName: "default" },
        region: REGION,
      },
    ]);
    expect(result.verification.verified).toBe(true);
  });

  it("is already done on a recorder started since", async () => {
    await stoppedRecorder("default");
    await configService.send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: "default" }));

    const result = await runEndToEnd(recorderIncident("default"), taskDeps(config()), motoGateway(moto.endpoint), {
      action: "config-start-recorder",
    });

    expect(result.actions.map((a) => [a.outcome, a.calls])).toEqual([["already-done", []]]);
    expect(result.verification.verified).toBe(true);
  });

  it("reports a recorder deleted since, and fails verification", async () => {
    await stoppedRecorder("default");
    await configService.send(new DeleteConfigurationRecorderCommand({ ConfigurationRecorderName: "default" }));

    const result = await runEndToEnd(recorderIncident("default"), taskDeps(config()), motoGateway(moto.endpoint), {
      action: "config-start-recorder",
    });

    expect(result.actions.map((a) => a.outcome)).toEqual(["gone"]);
    expect(result.verification).toMatchObject({
      verified: false,
      checks: [expect.objectContaining({ detail: expect.stringMatching(/was deleted: recreate it/) })],
    });
  });
});
