import { describe, expect, it } from "vitest";
import { record } from "../../../test/fixtures/events/cloudtrail.js";
import { parseConfig } from "../../config/load.js";
import { normalizeRecords } from "../../events/index.js";
import { getDetection } from "../catalog.js";

const config = parseConfig({});

describe("ebs-default-encryption-disabled findings", () => {
  const ebs = getDetection("ebs-default-encryption-disabled");

  it("targets the account and region of the call and carries only the event name and the actor", () => {
    if (ebs.stateful) throw new Error("ebs-default-encryption-disabled is stateless");
    const event = record("ec2.amazonaws.com", "DisableEbsEncryptionByDefault", null, null, { region: "eu-west-1" });

    const finding = ebs.evaluate(normalizeRecords(event).events[0]!.envelope, config);

    expect(finding?.resource).toBe("123456789012/eu-west-1");
    expect(finding?.region).toBe("eu-west-1");
    expect(finding?.facts).toEqual({
      eventName: "DisableEbsEncryptionByDefault",
      principalType: "IAMUser",
      principalArn: "arn:aws:iam::123456789012:user/alice",
      userName: "alice",
      accessKeyId: "AKIAIOSFODNN7EXAMPLE",
    });
    expect(finding?.summary).toBe(
      "arn:aws:iam::123456789012:user/alice turned off EBS encryption by default in eu-west-1",
    );
  });
});
