import { describe, expect, it } from "vitest";
import { parseConfig } from "../core/config/load.js";
import { FUNCTION_SPECS } from "./functions.js";
import {
  CORRELATE_BATCHING_WINDOW_SECONDS,
  correlateConcurrencyFor,
  correlateEventsPerSecond,
  TARGET_EVENTS_PER_SECOND,
} from "./throughput.js";

describe("correlate throughput", () => {
  it("derives one invocation's rate from the measured CPU time and DynamoDB requests per event", () => {
    // 0.38 ms CPU + 4.97 requests × 5 ms = 25.23 ms an event.
    expect(correlateEventsPerSecond()).toBeCloseTo(39.6, 1);
    expect(correlateEventsPerSecond(10)).toBeCloseTo(19.97, 1);
  });

  it("sizes the default maximum concurrency for the target rate", () => {
    const config = parseConfig({});

    expect(correlateConcurrencyFor(TARGET_EVENTS_PER_SECOND)).toBe(26);
    expect(config.aws.correlate.maxConcurrency).toBe(correlateConcurrencyFor(TARGET_EVENTS_PER_SECOND));
    expect(config.aws.correlate.maxConcurrency * correlateEventsPerSecond()).toBeGreaterThanOrEqual(
      TARGET_EVENTS_PER_SECOND,
    );
  });

  it("stays within the event source's bounds and refuses a rate that is not positive", () => {
    expect(correlateConcurrencyFor(1)).toBe(2);
    expect(correlateConcurrencyFor(1e9)).toBe(1000);
    expect(() => correlateConcurrencyFor(0)).toThrow(/must be positive/);
    expect(() => correlateConcurrencyFor(Number.NaN)).toThrow(/must be positive/);
  });

  it("hands a full batch over within the batching window, well inside the function's time", () => {
    const config = parseConfig({});

    // A full default batch at the measured rate takes a few seconds of the function's 120.
    expect(config.aws.correlate.batchSize / correlateEventsPerSecond()).toBeLessThan(
      FUNCTION_SPECS.correlate.timeoutSeconds / 10,
    );
    expect(CORRELATE_BATCHING_WINDOW_SECONDS).toBeLessThanOrEqual(20);
  });
});
