import { describe, expect, it } from "vitest";
import { record } from "../../../test/fixtures/events/cloudtrail.js";
import {
  disableKey,
  KEY_ARN,
  KEY_ID,
  scheduleKeyDeletion,
} from "../../../test/fixtures/events/scenarios/storage-protection.js";
import { parseConfig } from "../../config/load.js";
import { normalizeRecords } from "../../events/index.js";
import { getDetection } from "../catalog.js";
import { keyArnOf } from "./kms-key-deletion.js";

const config = parseConfig({});
const detection = getDetection("kms-key-deletion");
const evaluate = (event: unknown) => {
  if (detection.stateful) throw new Error("kms-key-deletion is stateless");
  return detection.evaluate(normalizeRecords(event).events[0]!.envelope, config);
};

describe("keyArnOf", () => {
  it("prefers the key ARN the response gives over the id, alias or ARN the caller wrote", () => {
    expect(keyArnOf(scheduleKeyDeletion(KEY_ID))).toBe(KEY_ARN);
    expect(keyArnOf(scheduleKeyDeletion("alias/orders"))).toBe(KEY_ARN);
    expect(keyArnOf(disableKey(KEY_ID, { answered: true }))).toBe(KEY_ARN);
  });

  it("falls back to the record's resources (DisableKey logs a null response), with or without a type", () => {
    const untyped = { ...disableKey(KEY_ID), resources: [{ ARN: KEY_ARN, accountId: "123456789012" }] };

    expect(keyArnOf(disableKey(KEY_ID))).toBe(KEY_ARN);
    expect(keyArnOf(untyped)).toBe(KEY_ARN);
  });

  it("keeps the request's value when no key ARN is logged, and ignores ARNs that are not keys", () => {
    const aliasOnly = {
      ...disableKey("alias/orders"),
      resources: [{ ARN: "arn:aws:kms:us-east-1:123456789012:alias/orders" }],
    };
    const bare = record("kms.amazonaws.com", "DisableKey", { keyId: KEY_ID }, null);

    expect(keyArnOf(aliasOnly)).toBe("alias/orders");
    expect(keyArnOf(bare)).toBe(KEY_ID);
  });

  it("reads odd shapes without throwing", () => {
    const odd = [null, "text", 42, [], { keyId: 7 }, { keyId: ["a"] }];
    for (const value of odd) {
      const event = { ...record("kms.amazonaws.com", "ScheduleKeyDeletion", value, value), resources: value };
      expect(() => keyArnOf(event)).not.toThrow();
      expect(() => evaluate(event)).not.toThrow();
    }
  });
});

describe("kms-key-deletion findings", () => {
  it("names the key by its ARN and carries the deletion date of a scheduled deletion", () => {
    const finding = evaluate(scheduleKeyDeletion("alias/orders"));

    expect(finding?.resource).toBe(KEY_ARN);
    expect(finding?.facts).toMatchObject({
      eventName: "ScheduleKeyDeletion",
      keyId: KEY_ARN,
      deletionDate: "May 8, 2024, 10:00:00 AM",
      pendingWindowInDays: 7,
      keyState: "PendingDeletion",
    });
    expect(finding?.summary).toBe(
      `arn:aws:iam::123456789012:user/alice scheduled KMS key ${KEY_ARN} for deletion (deleted on May 8, 2024, 10:00:00 AM)`,
    );
  });

  it("reports a disabled key with its ARN only", () => {
    const finding = evaluate(disableKey());

    expect(finding?.facts).toMatchObject({ eventName: "DisableKey", keyId: KEY_ARN });
    expect(finding?.facts).not.toHaveProperty("deletionDate");
    expect(finding?.summary).toBe(`arn:aws:iam::123456789012:user/alice disabled KMS key ${KEY_ARN}`);
  });
});
