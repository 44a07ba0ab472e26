import { describe, expect, it } from "vitest";
import { queueAgeAlarm } from "./alarms.js";
import { FUNCTION_SPECS } from "./functions.js";
import { CORRELATE_BATCHING_WINDOW_SECONDS } from "./throughput.js";

describe("queueAgeAlarm", () => {
  it("watches the oldest message's age, above the longest healthy wait: window plus one invocation", () => {
    const window = CORRELATE_BATCHING_WINDOW_SECONDS;
    const timeout = FUNCTION_SPECS.correlate.timeoutSeconds;

    const alarm = queueAgeAlarm({ batchingWindowSeconds: window, functionTimeoutSeconds: timeout });

    expect(alarm).toMatchObject({
      namespace: "AWS/SQS",
      metricName: "ApproximateAgeOfOldestMessage",
      statistic: "Maximum",
      period: 60,
    });
    expect(alarm.thresholdSeconds).toBeGreaterThanOrEqual(2 * (window + timeout));
    expect(alarm.evaluationPeriods * alarm.period).toBeGreaterThanOrEqual(300);
  });

  it("never alarms under five minutes, whatever the function's time", () => {
    expect(queueAgeAlarm({ batchingWindowSeconds: 1, functionTimeoutSeconds: 10 }).thresholdSeconds).toBe(300);
  });
});
