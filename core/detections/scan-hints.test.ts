import { describe, expect, it } from "vitest";
import { CATALOG, createDetectionSpecs } from "./catalog.js";
import { scanHintsOf, withScanHints } from "./scan-hints.js";
import type { StatefulDetection } from "./types.js";

const hinted = (specs: readonly object[]) =>
  specs.flatMap((spec) => {
    const hints = scanHintsOf(spec);
    return hints ? [[(spec as StatefulDetection).id, Object.keys(hints).sort().join(",")]] : [];
  });

describe("scan hints", () => {
  it("are kept beside the detections whose caches they read, off the detection contract", () => {
    expect(Object.fromEntries(hinted(createDetectionSpecs()))).toEqual({
      "access-key-anomalous-use": "skip",
      "impossible-travel": "skip",
      "unusual-region": "skip",
      "sg-created-open": "requiresChange",
      "sg-prod-tag-violation": "requiresChange",
      "sg-zombie-rule": "requiresChange",
      "ec2-launched-with-open-sg": "requiresChange",
      "sg-repeated-open": "requiresChange",
      "sg-risk-resolved": "requiresChange",
    });
    for (const spec of createDetectionSpecs())
      for (const hook of ["skip", "skipFacts", "skipFactCount", "requiresNetworkChange"])
        expect(Object.keys(spec), spec.id).not.toContain(hook);
  });

  it("survive a copy of the detection, as the catalog makes", () => {
    expect(hinted(CATALOG)).toEqual(hinted(createDetectionSpecs()));
    const detection = withScanHints(
      {
        ...(CATALOG.find((spec) => spec.id === "sg-zombie-rule") as StatefulDetection),
      },
      { requiresChange: true },
    );
    expect(scanHintsOf({ ...detection })).toEqual({ requiresChange: true });
    expect(scanHintsOf({ id: "plain" })).toBeUndefined();
  });

  it("give as many facts as they say, from the record alone", () => {
    const record = {
      eventName: "GetCallerIdentity",
      awsRegion: "eu-west-1",
      recipientAccountId: "123456789012",
      sourceIPAddress: "203.0.113.9",
      userIdentity: { type: "IAMUser", accessKeyId: "AKIAEXAMPLE", arn: "arn:aws:iam::123456789012:user/a" },
    };
    for (const spec of createDetectionSpecs()) {
      const skip = scanHintsOf(spec)?.skip;
      if (skip) expect(skip.facts(record), spec.id).toHaveLength(skip.count);
    }
  });
});
