import { EnableEbsEncryptionByDefaultCommand, GetEbsEncryptionByDefaultCommand } from "@aws-sdk/client-ec2";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { declaredIncident } from "../../../test/remediation/fixtures.js";
import { mockAws } from "../../../test/remediation/mock-aws.js";
import { remediateAndVerify, staticPlan } from "../../../test/remediation/run-action.js";

const aws = mockAws();
afterAll(() => aws.restore());
beforeEach(() => aws.reset());

const disabled = (facts: Record<string, unknown> = {}) =>
  declaredIncident(
    "ebs-default-encryption-disabled",
    "storage",
    { eventName: "DisableEbsEncryptionByDefault", ...facts },
    { region: "ap-southeast-2" },
  );

describe("ebs-enable-default-encryption: plan", () => {
  it("turns the setting back on in the incident's region", () => {
    expect(staticPlan("ebs-enable-default-encryption", disabled())).toMatchObject({
      ok: true,
      planned: {
        target: "EBS encryption by default (account 123456789012, ap-southeast-2)",
        destructive: false,
        calls: [{ service: "ec2", operation: "EnableEbsEncryptionByDefault", params: {}, region: "ap-southeast-2" }],
      },
    });
  });

  it("does not apply to another EC2 call", () => {
    expect(staticPlan("ebs-enable-default-encryption", disabled({ eventName: "ModifyEbsDefaultKmsKeyId" }))).toEqual({
      ok: false,
      note: expect.stringMatching(/does not undo "ModifyEbsDefaultKmsKeyId"/),
    });
  });

  it("needs a valid region", () => {
    const nowhere = { ...disabled(), region: "../x" };

    expect(staticPlan("ebs-enable-default-encryption", nowhere)).toEqual({
      ok: false,
      note: expect.stringMatching(/no valid region/),
    });
  });
});

describe("ebs-enable-default-encryption: live", () => {
  it("enables the setting and verifies it reads on", async () => {
    aws.ec2
      .on(GetEbsEncryptionByDefaultCommand)
      .resolvesOnce({ EbsEncryptionByDefault: false })
      .resolves({ EbsEncryptionByDefault: true });
    aws.ec2.on(EnableEbsEncryptionByDefaultCommand).resolves({ EbsEncryptionByDefault: true });

    const { applied, verification } = await remediateAndVerify("ebs-enable-default-encryption", disabled());

    expect(aws.inputs("EnableEbsEncryptionByDefaultCommand")).toEqual([{}]);
    expect(applied).toMatchObject({
      outcome: "applied",
      before: { state: { enabled: false } },
      after: { state: { enabled: true } },
    });
    expect(verification.verified).toBe(true);
  });

  it("is already done when the setting is on", async () => {
    aws.ec2.on(GetEbsEncryptionByDefaultCommand).resolves({ EbsEncryptionByDefault: true });

    const { applied } = await remediateAndVerify("ebs-enable-default-encryption", disabled());

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("EnableEbsEncryptionByDefaultCommand")).toEqual([]);
  });

  it("fails verification when the setting still reads off after the call", async () => {
    aws.ec2.on(GetEbsEncryptionByDefaultCommand).resolves({ EbsEncryptionByDefault: false });
    aws.ec2.on(EnableEbsEncryptionByDefaultCommand).resolves({ EbsEncryptionByDefault: true });

    const { applied, verification } = await remediateAndVerify("ebs-enable-default-encryption", disabled());

    expect(applied.outcome).toBe("applied");
    expect(verification).toMatchObject({
      verified: false,
      checks: [expect.objectContaining({ ok: false, detail: "EbsEncryptionByDefault: false" })],
    });
  });
});
