import { describe, expect, it } from "vitest";
import { scanFlagsFor } from "./v8-tuning.js";

describe("scanFlagsFor", () => {
  it("gives each measured V8 its flags, and none to another", () => {
    expect(scanFlagsFor("11.3.244.8-node.33", "")).toEqual([
      "--max-inlined-bytecode-size-cumulative=500",
      "--interrupt-budget=540000",
    ]);
    expect(scanFlagsFor("12.4.254.21-node.33", "")).toEqual([]);
    expect(scanFlagsFor("13.6.233.10-node.24", "")).toEqual([]);
    expect(scanFlagsFor("10.2.154.26", "")).toEqual([]);
    expect(scanFlagsFor("", "")).toEqual([]);
    expect(scanFlagsFor("constructor.1", "")).toEqual([]);
  });

  it("leaves a flag given on the command line or in NODE_OPTIONS as given, however spelled", () => {
    expect(scanFlagsFor("11.3.244.8", "--interrupt-budget=1000 ")).toEqual([
      "--max-inlined-bytecode-size-cumulative=500",
    ]);
    expect(scanFlagsFor("11.3.244.8", " --max_inlined_bytecode_size_cumulative=100")).toEqual([
      "--interrupt-budget=540000",
    ]);
    expect(
      scanFlagsFor("11.3.244.8", "--enable-source-maps --max-inlined-bytecode-size-cumulative --interrupt-budget=9"),
    ).toEqual([]);
    // A longer flag that starts with the same name is another flag.
    expect(scanFlagsFor("11.3.244.8", "--interrupt-budget-for-feedback-allocation=10 ")).toHaveLength(2);
  });
});
