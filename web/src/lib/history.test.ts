import { describe, expect, it } from "vitest";
import { historyEvent } from "../test/fixtures.js";
import { describeHistory, edgeKey, pathTaken } from "./history.js";

const NAMES = new Set(["Enrich", "Request approval", "Remediate", "Record failure"]);

describe("pathTaken", () => {
  it("follows entered states in order and ignores nested ones", () => {
    const history = [
      historyEvent("ExecutionStarted", { input: "{}" }),
      historyEvent("TaskStateEntered", { name: "Enrich" }),
      historyEvent("TaskStateExited", { name: "Enrich" }),
      historyEvent("PassStateEntered", { name: "inside a branch" }),
      historyEvent("TaskStateEntered", { name: "Request approval" }),
      historyEvent("TaskSubmitted", {}),
    ];

    const path = pathTaken(history, NAMES, true);

    expect(path.sequence).toEqual(["Enrich", "Request approval"]);
    expect([...path.edges]).toEqual([edgeKey("Enrich", "Request approval")]);
    expect(path.current).toBe("Request approval");
    expect(path.failed.size).toBe(0);
  });

  it("pins a task failure on the state it happened in", () => {
    const history = [
      historyEvent("TaskStateEntered", { name: "Remediate" }),
      historyEvent("TaskFailed", { error: "RemediationNotAllowed", cause: "protected" }),
      historyEvent("TaskStateExited", { name: "Remediate" }),
      historyEvent("FailStateEntered", { name: "Record failure" }),
      historyEvent("ExecutionFailed", { error: "Failed" }),
    ];

    const path = pathTaken(history, NAMES, false);

    expect([...path.failed].sort()).toEqual(["Record failure", "Remediate"]);
    expect(path.current).toBeUndefined();
  });
});

describe("describeHistory", () => {
  it("ties task events to their state and surfaces errors and payloads", () => {
    const entries = describeHistory([
      historyEvent("TaskStateEntered", { name: "Remediate", input: '{"a":1}' }),
      historyEvent("TaskScheduled", { resource: "invoke", parameters: '{"b":2}' }),
      historyEvent("TaskFailed", { error: "States.Timeout", cause: "too slow" }),
      historyEvent("ExecutionFailed", { error: "States.Timeout" }),
    ]);

    expect(entries.map((entry) => entry.state)).toEqual(["Remediate", "Remediate", "Remediate", undefined]);
    expect(entries[1]?.data).toEqual({ label: "parameters", value: '{"b":2}' });
    expect(entries[2]).toMatchObject({ tone: "error", error: "States.Timeout", cause: "too slow" });
  });
});
