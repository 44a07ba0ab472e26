import {
  DescribeConfigurationRecorderStatusCommand,
  DescribeConfigurationRecordersCommand,
  ListTagsForResourceCommand,
  StartConfigurationRecorderCommand,
} from "@aws-sdk/client-config-service";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { declaredIncident } from "../../../test/remediation/fixtures.js";
import { mockAws } from "../../../test/remediation/mock-aws.js";
import { awsError, remediateAndVerify, staticPlan } from "../../../test/remediation/run-action.js";

const aws = mockAws();
afterAll(() => aws.restore());
beforeEach(() => aws.reset());

const ARN = "arn:aws:config:eu-west-1:123456789012:configuration-recorder/default/a1b2c3";
const stopped = (facts: Record<string, unknown> = {}) =>
  declaredIncident(
    "config-recording-stopped",
    "logging",
    { eventName: "StopConfigurationRecorder", recorderName: "default", ...facts },
    { region: "eu-west-1" },
  );

/** The recorder, with its recording status read after read (the last one from then on). */
function recorder(recording: [...boolean[], boolean], tags: { Key: string; Value: string }[] = []) {
  aws.config
    .on(DescribeConfigurationRecordersCommand)
    .resolves({ ConfigurationRecorders: [{ name: "default", arn: ARN }] });
  const answer = (value: boolean) => ({ ConfigurationRecordersStatus: [{ name: "default", recording: value }] });
  const status = aws.config.on(DescribeConfigurationRecorderStatusCommand);
  for (const value of recording.slice(0, -1)) status.resolvesOnce(answer(value));
  status.resolves(answer(recording.at(-1) as boolean));
  aws.config.on(ListTagsForResourceCommand).resolves({ Tags: tags });
}

describe("config-start-recorder: plan", () => {
  it("starts the recorder by name in the incident's region", () => {
    const plan = staticPlan("config-start-recorder", stopped());

    expect(plan).toMatchObject({
      ok: true,
      planned: {
        target: "configuration recorder default (eu-west-1)",
        destructive: false,
        calls: [
          {
            service: "config",
            operation: "StartConfigurationRecorder",
            params: { ConfigurationRecorderName: "default" },
            region: "eu-west-1",
          },
        ],
      },
    });
  });

  it.each([
    ["DeleteConfigurationRecorder", /recorder was deleted: StartConfigurationRecorder cannot bring it back/],
    ["DeleteDeliveryChannel", /delivery channel was deleted: StartConfigurationRecorder cannot bring it back/],
    ["PutConfigurationRecorder", /does not undo "PutConfigurationRecorder"/],
  ])("reports %s instead of planning", (eventName, reason) => {
    expect(staticPlan("config-start-recorder", stopped({ eventName }))).toEqual({
      ok: false,
      note: expect.stringMatching(reason),
    });
  });

  it.each([[undefined], [""], [7], [["default"]], ["has space"], ["a/b"], ["x".repeat(257)]])(
    "names no recorder from recorderName %j",
    (recorderName) => {
      expect(staticPlan("config-start-recorder", stopped({ recorderName }))).toEqual({
        ok: false,
        note: expect.stringMatching(/name no configuration recorder/),
      });
    },
  );
});

describe("config-start-recorder: live", () => {
  it("starts a stopped recorder and verifies it records", async () => {
    recorder([false, true], [{ Key: "team", Value: "sec" }]);
    aws.config.on(StartConfigurationRecorderCommand).resolves({});

    const { applied, verification } = await remediateAndVerify("config-start-recorder", stopped());

    expect(aws.inputs("StartConfigurationRecorderCommand")).toEqual([{ ConfigurationRecorderName: "default" }]);
    expect(aws.inputs("ListTagsForResourceCommand")).toContainEqual({ ResourceArn: ARN });
    expect(applied).toMatchObject({
      outcome: "applied",
      before: { state: { recording: false }, tags: [{ team: "sec" }] },
      after: { state: { recording: true } },
    });
    expect(verification.verified).toBe(true);
  });

  it("is already done on a recorder that records", async () => {
    recorder([true]);

    const { applied } = await remediateAndVerify("config-start-recorder", stopped());

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("StartConfigurationRecorderCommand")).toEqual([]);
  });

  it("reads no tags of a recorder without an ARN", async () => {
    aws.config.on(DescribeConfigurationRecordersCommand).resolves({ ConfigurationRecorders: [{ name: "default" }] });
    aws.config
      .on(DescribeConfigurationRecorderStatusCommand)
      .resolves({ ConfigurationRecordersStatus: [{ name: "default", recording: true }] });

    const { applied } = await remediateAndVerify("config-start-recorder", stopped());

    expect(applied).toMatchObject({ outcome: "already-done", before: { tags: [{}] } });
    expect(aws.inputs("ListTagsForResourceCommand")).toEqual([]);
  });

  it("leaves a recorder tagged as protected alone", async () => {
    recorder([false], [{ Key: "riposte:protect", Value: "true" }]);

    const { applied } = await remediateAndVerify("config-start-recorder", stopped());

    expect(applied).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/is protected/) });
    expect(aws.inputs("StartConfigurationRecorderCommand")).toEqual([]);
  });

  it("reports a deleted recorder as gone, and fails verification", async () => {
    aws.config
      .on(DescribeConfigurationRecordersCommand)
      .rejects(awsError("NoSuchConfigurationRecorderException", "Cannot find configuration recorder"));

    const { applied, verification } = await remediateAndVerify("config-start-recorder", stopped());

    expect(applied.outcome).toBe("gone");
    expect(verification).toMatchObject({
      verified: false,
      checks: [expect.objectContaining({ ok: false, detail: expect.stringMatching(/was deleted: recreate it/) })],
    });
  });

  it("fails, saying why, when the region has no delivery channel", async () => {
    recorder([false]);
    aws.config
      .on(StartConfigurationRecorderCommand)
      .rejects(
        awsError(
          "NoAvailableDeliveryChannelException",
          "Delivery channel is not available to start configuration recorder.",
        ),
      );

    const { applied, verification } = await remediateAndVerify("config-start-recorder", stopped());

    expect(applied).toMatchObject({
      outcome: "failed",
      error: expect.stringMatching(/NoAvailableDeliveryChannelException/),
    });
    expect(verification.verified).toBe(false);
  });

  it("fails verification when the recorder still does not record after the call", async () => {
    recorder([false]);
    aws.config.on(StartConfigurationRecorderCommand).resolves({});

    const { applied, verification } = await remediateAndVerify("config-start-recorder", stopped());

    expect(applied.outcome).toBe("applied");
    expect(verification).toMatchObject({
      verified: false,
      checks: [expect.objectContaining({ ok: false, detail: "recording: false" })],
    });
  });
});
