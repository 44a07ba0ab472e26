import { describe, expect, it } from "vitest";
import { iam, identity } from "../../../test/fixtures/events/cloudtrail.js";
import { parseConfig } from "../../config/load.js";
import { normalizeRecords } from "../../events/index.js";
import { findingFromEvent } from "../stateless.js";

const config = parseConfig({});
const envelopeOf = (record: unknown) => normalizeRecords(record).events[0]!.envelope;

describe("iam-key-quarantined", () => {
  it("hands the action the quarantined user as targetUserName, the actor as userName", () => {
    const record = iam(
      "AttachUserPolicy",
      { userName: "test-user", policyArn: "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2" },
      null,
      { user: identity.user("admin") },
    );

    const finding = findingFromEvent("iam-key-quarantined", envelopeOf(record), config);

    expect(finding?.resource).toBe("user/test-user");
    expect(finding?.facts).toMatchObject({
      eventName: "AttachUserPolicy",
      targetUserName: "test-user",
      userName: "admin",
      policyArn: "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2",
    });
    expect(finding?.summary).toBe(
      "AWSCompromisedKeyQuarantineV2 was attached to user test-user by arn:aws:iam::123456789012:user/admin: AWS reports one of its access keys as leaked",
    );
  });

  it("keeps the policy ARN condition in the EventBridge pattern", () => {
    const other = iam("AttachUserPolicy", { userName: "u", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" });
    const lookalike = iam("AttachUserPolicy", {
      userName: "u",
      policyArn: "arn:aws:iam::123456789012:policy/AWSCompromisedKeyQuarantineV2",
    });

    expect(findingFromEvent("iam-key-quarantined", envelopeOf(other), config)).toBeUndefined();
    expect(findingFromEvent("iam-key-quarantined", envelopeOf(lookalike), config)).toBeUndefined();
  });
});
