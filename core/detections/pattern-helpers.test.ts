import { describe, expect, it } from "vitest";
import { mergePatterns } from "./pattern-helpers.js";

describe("mergePatterns", () => {
  it("leaves mergePatterns' inputs untouched", () => {
    const a = { source: ["aws.s3"], detail: { eventName: ["PutBucketAcl"] } };
    const b = { detail: { userIdentity: { type: ["Root"] } } };
    const merged = mergePatterns(a, b);
    (merged.detail as { eventName: string[] }).eventName.push("x");

    expect(merged).toEqual({
      source: ["aws.s3"],
      detail: { eventName: ["PutBucketAcl", "x"], userIdentity: { type: ["Root"] } },
    });
    expect(a.detail.eventName).toEqual(["PutBucketAcl"]);
  });
});
