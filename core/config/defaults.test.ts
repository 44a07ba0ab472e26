import { describe, expect, it } from "vitest";
import { defaultConfig } from "./defaults.js";
import { parseConfig } from "./load.js";

describe("defaultConfig", () => {
  it("is what the schema gives for an empty configuration (else: npx tsx scripts/gen-config-defaults.ts)", () => {
    expect(defaultConfig()).toStrictEqual(parseConfig({}));
  });

  it("gives a fresh copy each call", () => {
    const changed = defaultConfig();
    changed.thresholds.bruteForce.failures = 99;
    changed.trustedCidrs.push("10.0.0.0/8");

    expect(defaultConfig()).toStrictEqual(parseConfig({}));
  });
});
