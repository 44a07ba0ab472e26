import {
  DeleteFilterCommand,
  GetFilterCommand,
  GetIPSetCommand,
  ListDetectorsCommand,
  UpdateIPSetCommand,
} from "@aws-sdk/client-guardduty";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { config, enrichment, incident, score } from "../../../test/remediation/fixtures.js";
import { mockAws } from "../../../test/remediation/mock-aws.js";
import { awsError, remediateAndVerify, staticPlan } from "../../../test/remediation/run-action.js";
import { decide } from "../policy.js";

const aws = mockAws();
afterAll(() => aws.restore());
beforeEach(() => aws.reset());

const DETECTOR = "12abc34d567e8fa901bc2d34e56789f0";
const IP_SET = "0cb0141ab9fbde177613ab9436212e90";
const ipSetTrusted = (facts: Record<string, unknown> = {}) =>
  incident(
    "guardduty-suppressed",
    { eventName: "CreateIPSet", detectorId: DETECTOR, ipSetId: IP_SET, activate: true, ...facts },
    { region: "eu-west-1" },
  );
const filterArchiving = (facts: Record<string, unknown> = {}) =>
  incident(
    "guardduty-suppressed",
    { eventName: "CreateFilter", detectorId: DETECTOR, filterName: "quiet-recon", action: "ARCHIVE", ...facts },
    { region: "eu-west-1" },
  );
const approved = { approved: true };

const ipSet = (Status: string, Tags: Record<string, string> = {}) => ({
  Name: "office",
  Format: "TXT" as const,
  Location: "https://s3.amazonaws.com/lists/office.txt",
  Status: Status as "ACTIVE",
  Tags,
});
const FILTER = {
  Name: "quiet-recon",
  Action: "ARCHIVE" as const,
  Rank: 1,
  Description: "noise",
  FindingCriteria: { Criterion: { type: { Eq: ["Recon:EC2/PortProbeUnprotectedPort"] } } },
  Tags: { team: "sec" },
};
const detectorListed = () => aws.guardduty.on(ListDetectorsCommand).resolves({ DetectorIds: [DETECTOR] });

describe("guardduty-suppressed: which action, and in which mode", () => {
  const route = (subject: ReturnType<typeof incident>) =>
    decide({ incident: subject, enrichment: enrichment(), score: score(90), config: config(), mode: "live" });

  it("deactivates a trusted IP list automatically", () => {
    expect(route(ipSetTrusted())).toMatchObject({ route: "auto", plan: [{ action: "guardduty-deactivate-ip-set" }] });
  });

  it.each(["CreateFilter", "UpdateFilter"])("deletes a suppression rule (%s) only after approval", (eventName) => {
    expect(route(filterArchiving({ eventName }))).toMatchObject({
      route: "approval",
      reason: expect.stringMatching(/guardduty-delete-filter is destructive/),
      plan: [{ action: "guardduty-delete-filter" }],
      approval: { onTimeout: "reject" },
    });
  });
});

describe("guardduty-deactivate-ip-set: plan", () => {
  it("deactivates the list, in the incident's region", () => {
    expect(staticPlan("guardduty-deactivate-ip-set", ipSetTrusted())).toMatchObject({
      ok: true,
      planned: {
        target: `GuardDuty IP set ${IP_SET} of detector ${DETECTOR} (eu-west-1)`,
        destructive: false,
        calls: [
          {
            service: "guardduty",
            operation: "UpdateIPSet",
            params: { DetectorId: DETECTOR, IpSetId: IP_SET, Activate: false },
            region: "eu-west-1",
          },
        ],
      },
    });
  });

  it("plans nothing when the event left the list inactive", () => {
    expect(staticPlan("guardduty-deactivate-ip-set", ipSetTrusted({ activate: false }))).toMatchObject({
      ok: true,
      planned: { calls: [] },
    });
  });

  it.each([
    ["no IP set", { ipSetId: "" }, /no GuardDuty IP set/],
    ["an odd IP set id", { ipSetId: "../x" }, /no GuardDuty IP set/],
    ["no detector", { detectorId: undefined }, /no GuardDuty detector/],
    ["another event", { eventName: "DeleteIPSet" }, /does not undo "DeleteIPSet"/],
  ])("does not apply with %s", (_, facts, reason) => {
    expect(staticPlan("guardduty-deactivate-ip-set", ipSetTrusted(facts))).toEqual({
      ok: false,
      note: expect.stringMatching(reason),
    });
  });
});

describe("guardduty-deactivate-ip-set: live", () => {
  it("deactivates the list, keeps what it was and verifies", async () => {
    detectorListed();
    aws.guardduty.on(GetIPSetCommand).resolvesOnce(ipSet("ACTIVE")).resolves(ipSet("DEACTIVATING"));
    aws.guardduty.on(UpdateIPSetCommand).resolves({});

    const { applied, verification } = await remediateAndVerify("guardduty-deactivate-ip-set", ipSetTrusted());

    expect(aws.inputs("UpdateIPSetCommand")).toEqual([{ DetectorId: DETECTOR, IpSetId: IP_SET, Activate: false }]);
    expect(applied).toMatchObject({
      outcome: "applied",
      before: {
        state: {
          status: "ACTIVE",
          name: "office",
          location: "https://s3.amazonaws.com/lists/office.txt",
          format: "TXT",
        },
      },
    });
    expect(verification.verified).toBe(true);
  });

  it("is already done when the list is inactive", async () => {
    detectorListed();
    aws.guardduty.on(GetIPSetCommand).resolves(ipSet("INACTIVE"));

    const { applied } = await remediateAndVerify("guardduty-deactivate-ip-set", ipSetTrusted());

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("UpdateIPSetCommand")).toEqual([]);
  });

  it("fails verification when the list is still active", async () => {
    detectorListed();
    aws.guardduty.on(GetIPSetCommand).resolves(ipSet("ACTIVE"));
    aws.guardduty.on(UpdateIPSetCommand).resolves({});

    const { verification } = await remediateAndVerify("guardduty-deactivate-ip-set", ipSetTrusted());

    expect(verification).toMatchObject({
      verified: false,
      checks: [expect.objectContaining({ ok: false, detail: "Status: ACTIVE" })],
    });
  });

  it("counts a deleted list, or a deleted detector, as gone", async () => {
    detectorListed();
    aws.guardduty.on(GetIPSetCommand).rejects(awsError("BadRequestException", "no such resource found"));
    const deletedList = await remediateAndVerify("guardduty-deactivate-ip-set", ipSetTrusted());
    aws.reset();
    aws.guardduty.on(ListDetectorsCommand).resolves({ DetectorIds: [] });
    const deletedDetector = await remediateAndVerify("guardduty-deactivate-ip-set", ipSetTrusted());

    expect([deletedList.applied.outcome, deletedDetector.applied.outcome]).toEqual(["gone", "gone"]);
    expect(aws.inputs("GetIPSetCommand")).toEqual([]);
  });

  it("leaves a protected list alone", async () => {
    detectorListed();
    aws.guardduty.on(GetIPSetCommand).resolves(ipSet("ACTIVE", { "riposte:protect": "true" }));

    const { applied } = await remediateAndVerify("guardduty-deactivate-ip-set", ipSetTrusted());

    expect(applied.outcome).toBe("skipped");
    expect(aws.inputs("UpdateIPSetCommand")).toEqual([]);
  });
});

describe("guardduty-delete-filter: plan", () => {
  it("deletes the filter, in the incident's region", () => {
    expect(staticPlan("guardduty-delete-filter", filterArchiving({ eventName: "UpdateFilter" }))).toMatchObject({
      ok: true,
      planned: {
        target: `GuardDuty filter quiet-recon of detector ${DETECTOR} (eu-west-1)`,
        destructive: true,
        calls: [
          {
            service: "guardduty",
            operation: "DeleteFilter",
            params: { DetectorId: DETECTOR, FilterName: "quiet-recon" },
            region: "eu-west-1",
          },
        ],
      },
    });
  });

  it.each([
    ["no filter name", { filterName: "" }, /no valid GuardDuty filter/],
    ["an odd filter name", { filterName: "quiet/../x" }, /no valid GuardDuty filter/],
    ["another event", { eventName: "DeleteFilter" }, /does not undo "DeleteFilter"/],
  ])("does not apply with %s", (_, facts, reason) => {
    expect(staticPlan("guardduty-delete-filter", filterArchiving(facts))).toEqual({
      ok: false,
      note: expect.stringMatching(reason),
    });
  });
});

describe("guardduty-delete-filter: live", () => {
  it("keeps the whole filter to recreate it, deletes it and verifies it is gone", async () => {
    detectorListed();
    aws.guardduty
      .on(GetFilterCommand)
      .resolvesOnce(FILTER)
      .rejects(awsError("BadRequestException", "no such resource found"));
    aws.guardduty.on(DeleteFilterCommand).resolves({});

    const { applied, verification } = await remediateAndVerify(
      "guardduty-delete-filter",
      filterArchiving(),
      config(),
      approved,
    );

    expect(aws.inputs("DeleteFilterCommand")).toEqual([{ DetectorId: DETECTOR, FilterName: "quiet-recon" }]);
    expect(applied).toMatchObject({ outcome: "applied", before: { state: { action: "ARCHIVE", filter: FILTER } } });
    expect(verification).toMatchObject({ verified: true, checks: [expect.objectContaining({ ok: true })] });
  });

  it("is already done when the filter no longer archives", async () => {
    detectorListed();
    aws.guardduty.on(GetFilterCommand).resolves({ ...FILTER, Action: "NOOP" });

    const { applied } = await remediateAndVerify("guardduty-delete-filter", filterArchiving(), config(), approved);

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("DeleteFilterCommand")).toEqual([]);
  });

  it("fails verification when the filter still archives", async () => {
    detectorListed();
    aws.guardduty.on(GetFilterCommand).resolves(FILTER);
    aws.guardduty.on(DeleteFilterCommand).resolves({});

    const { verification } = await remediateAndVerify("guardduty-delete-filter", filterArchiving(), config(), approved);

    expect(verification).toMatchObject({
      verified: false,
      checks: [expect.objectContaining({ ok: false, detail: "Action: ARCHIVE" })],
    });
  });

  it("leaves a protected filter alone", async () => {
    detectorListed();
    aws.guardduty.on(GetFilterCommand).resolves({ ...FILTER, Tags: { "riposte:protect": "true" } });

    const { applied } = await remediateAndVerify("guardduty-delete-filter", filterArchiving(), config(), approved);

    expect(applied.outcome).toBe("skipped");
    expect(aws.inputs("DeleteFilterCommand")).toEqual([]);
  });

  it("never runs without approval", async () => {
    const { applied } = await remediateAndVerify("guardduty-delete-filter", filterArchiving());

    expect(applied).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/destructive/) });
    expect(aws.sent()).toEqual([]);
  });
});
