import { describe, expect, it } from "vitest";
import { scaledWaitDeadline, WAIT_SCALE_VARIABLE, waitScaleFromEnv } from "./wait-scale.js";

describe("RIPOSTE_TEST_WAIT_SCALE", () => {
  it("is real time (1) when unset or blank, else the fraction given", () => {
    const unset = waitScaleFromEnv({});
    const blank = waitScaleFromEnv({ [WAIT_SCALE_VARIABLE]: " " });
    const fraction = waitScaleFromEnv({ [WAIT_SCALE_VARIABLE]: "0.01" });

    expect([unset, blank, fraction]).toEqual([1, 1, 0.01]);
  });

  it.each(["0", "-1", "2", "fast", "Infinity"])("refuses %s, naming the variable", (value) => {
    const read = () => waitScaleFromEnv({ [WAIT_SCALE_VARIABLE]: value });

    expect(read).toThrow(`${WAIT_SCALE_VARIABLE} must be a number above 0 and at most 1 (got "${value}")`);
  });

  it("scales the time from entry to the deadline, never moving a deadline already past", () => {
    const scaled = scaledWaitDeadline(1_000, 16_000, 0.01);
    const real = scaledWaitDeadline(1_000, 16_000, 1);
    const past = scaledWaitDeadline(1_000, 500, 0.01);

    expect([scaled, real, past]).toEqual([1_150, 16_000, 500]);
  });
});
