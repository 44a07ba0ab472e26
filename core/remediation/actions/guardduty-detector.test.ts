import { GetDetectorCommand, ListDetectorsCommand, UpdateDetectorCommand } from "@aws-sdk/client-guardduty";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { declaredIncident } from "../../../test/remediation/fixtures.js";
import { mockAws } from "../../../test/remediation/mock-aws.js";
import { remediateAndVerify, staticPlan } from "../../../test/remediation/run-action.js";

const aws = mockAws();
afterAll(() => aws.restore());
beforeEach(() => aws.reset());

const DETECTOR = "12abc34d567e8fa901bc2d34e56789f0";
const suspended = (facts: Record<string, unknown> = {}) =>
  declaredIncident(
    "guardduty-disabled",
    "logging",
    { eventName: "UpdateDetector", detectorId: DETECTOR, ...facts },
    { region: "eu-west-1" },
  );

describe("guardduty-enable-detector: plan", () => {
  it("turns the detector on in the incident's region, and nothing else", () => {
    const plan = staticPlan("guardduty-enable-detector", suspended());

    expect(plan).toMatchObject({
      ok: true,
      planned: {
        action: "guardduty-enable-detector",
        target: `GuardDuty detector ${DETECTOR} (eu-west-1)`,
        destructive: false,
        permissions: ["guardduty:ListDetectors", "guardduty:GetDetector", "guardduty:UpdateDetector"],
        calls: [
          {
            service: "guardduty",
            operation: "UpdateDetector",
            params: { DetectorId: DETECTOR, Enable: true },
            region: "eu-west-1",
          },
        ],
      },
    });
  });

  it("does not pretend to bring back a deleted detector", () => {
    const plan = staticPlan("guardduty-enable-detector", suspended({ eventName: "DeleteDetector" }));

    expect(plan).toEqual({ ok: false, note: expect.stringMatching(/deleted: UpdateDetector cannot bring it back/) });
  });

  it("does not apply to another GuardDuty call", () => {
    const plan = staticPlan("guardduty-enable-detector", suspended({ eventName: "CreateIPSet" }));

    expect(plan).toEqual({ ok: false, note: expect.stringMatching(/does not undo "CreateIPSet"/) });
  });

  it.each([[undefined], [""], [42], [null], ["../detector/x"], [{ id: DETECTOR }], ["A".repeat(301)]])(
    "names no detector from detectorId %j",
    (detectorId) => {
      const plan = staticPlan("guardduty-enable-detector", suspended({ detectorId }));

      expect(plan).toEqual({ ok: false, note: expect.stringMatching(/name no GuardDuty detector/) });
    },
  );
});

describe("guardduty-enable-detector: live", () => {
  const listed = () => aws.guardduty.on(ListDetectorsCommand).resolves({ DetectorIds: [DETECTOR] });

  it("enables a suspended detector and verifies it reads ENABLED", async () => {
    listed();
    aws.guardduty
      .on(GetDetectorCommand)
      .resolvesOnce({ Status: "DISABLED", ServiceRole: "r", Tags: { team: "sec" } })
      .resolves({ Status: "ENABLED", ServiceRole: "r" });
    aws.guardduty.on(UpdateDetectorCommand).resolves({});

    const { applied, verification } = await remediateAndVerify("guardduty-enable-detector", suspended());

    expect(aws.inputs("UpdateDetectorCommand")).toEqual([{ DetectorId: DETECTOR, Enable: true }]);
    expect(applied).toMatchObject({
      outcome: "applied",
      before: { state: { status: "DISABLED" }, tags: [{ team: "sec" }] },
      after: { state: { status: "ENABLED" } },
    });
    expect(verification.verified).toBe(true);
  });

  it("is already done on an enabled detector", async () => {
    listed();
    aws.guardduty.on(GetDetectorCommand).resolves({ Status: "ENABLED", ServiceRole: "r" });

    const { applied, verification } = await remediateAndVerify("guardduty-enable-detector", suspended());

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("UpdateDetectorCommand")).toEqual([]);
    expect(verification.verified).toBe(true);
  });

  it("leaves a detector tagged as protected alone", async () => {
    listed();
    aws.guardduty
      .on(GetDetectorCommand)
      .resolves({ Status: "DISABLED", ServiceRole: "r", Tags: { "riposte:protect": "true" } });

    const { applied } = await remediateAndVerify("guardduty-enable-detector", suspended());

    expect(applied).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/is protected/) });
    expect(aws.inputs("UpdateDetectorCommand")).toEqual([]);
  });

  it("reports a deleted detector as gone, and fails verification", async () => {
    aws.guardduty.on(ListDetectorsCommand).resolves({ DetectorIds: [] });

    const { applied, verification } = await remediateAndVerify("guardduty-enable-detector", suspended());

    expect(applied.outcome).toBe("gone");
    expect(aws.inputs("GetDetectorCommand")).toEqual([]);
    expect(verification).toMatchObject({
      verified: false,
      checks: [expect.objectContaining({ ok: false, detail: expect.stringMatching(/create a detector again/) })],
    });
  });

  it("fails verification when the detector still reads DISABLED after the call", async () => {
    listed();
    aws.guardduty.on(GetDetectorCommand).resolves({ Status: "DISABLED", ServiceRole: "r" });
    aws.guardduty.on(UpdateDetectorCommand).resolves({});

    const { applied, verification } = await remediateAndVerify("guardduty-enable-detector", suspended());

    expect(applied.outcome).toBe("applied");
    expect(verification).toMatchObject({
      verified: false,
      checks: [expect.objectContaining({ ok: false, detail: "DISABLED" })],
    });
  });
});
