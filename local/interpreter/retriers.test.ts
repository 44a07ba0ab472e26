import { describe, expect, it } from "vitest";
import type { Retrier } from "./model.js";
import { errorMatches, findCatcher, findRetrier, retryDelayMs } from "./retriers.js";

describe("errorMatches", () => {
  it.each([
    ["TransientError", "TransientError", true],
    ["TransientError", "ResourceGone", false],
    ["States.ALL", "ResourceGone", true],
    ["States.ALL", "States.Timeout", true],
    ["States.ALL", "States.Runtime", false],
    ["States.ALL", "States.DataLimitExceeded", false],
    ["States.DataLimitExceeded", "States.DataLimitExceeded", true],
    ["States.TaskFailed", "Lambda.ServiceException", true],
    ["States.TaskFailed", "States.Timeout", false],
    ["States.TaskFailed", "States.HeartbeatTimeout", false],
    ["States.Timeout", "States.HeartbeatTimeout", true],
    ["States.HeartbeatTimeout", "States.Timeout", false],
  ])("%s matches %s: %s", (pattern, error, expected) => {
    expect(errorMatches(pattern, error)).toBe(expected);
  });
});

const retrier = (overrides: Partial<Retrier> = {}): Retrier => ({
  errorEquals: ["States.ALL"],
  intervalSeconds: 1,
  maxAttempts: 3,
  backoffRate: 2,
  jitterStrategy: "NONE",
  ...overrides,
});

describe("findRetrier and findCatcher", () => {
  it("take the first entry naming the error, and never handle States.Runtime", () => {
    const retriers = [retrier({ errorEquals: ["A"] }), retrier({ errorEquals: ["States.ALL"] })];
    const catchers = [{ errorEquals: ["States.ALL"], next: "X" }];

    expect(findRetrier(retriers, "A")).toBe(0);
    expect(findRetrier(retriers, "B")).toBe(1);
    expect(findRetrier(retriers, "States.Runtime")).toBeUndefined();
    expect(findCatcher(catchers, "States.Runtime")).toBeUndefined();
    expect(findCatcher(catchers, "B")?.next).toBe("X");
  });
});

describe("retryDelayMs", () => {
  it("grows by BackoffRate, stops at MaxDelaySeconds, and draws FULL jitter below it", () => {
    const backoff = retrier({ intervalSeconds: 3, backoffRate: 2, maxDelaySeconds: 20 });
    const jittered = retrier({ intervalSeconds: 3, backoffRate: 2, jitterStrategy: "FULL" });

    expect([0, 1, 2, 3].map((attempt) => retryDelayMs(backoff, attempt, () => 0.5))).toEqual([
      3000, 6000, 12000, 20000,
    ]);
    expect(retryDelayMs(jittered, 2, () => 0.25)).toBe(3000);
    expect(retryDelayMs(jittered, 2, () => 0)).toBe(0);
  });
});
