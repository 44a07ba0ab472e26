import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { workflowDefinition } from "../../workflows/index.js";
import {
  categoriesWithOtherCounts,
  costReport,
  dollars,
  PRICES,
  pathCost,
  WORKFLOW_PATHS,
  walkPath,
  workflowCosts,
} from "./costs.js";

const definition = workflowDefinition("network");
const walk = (name: string) => walkPath(definition, WORKFLOW_PATHS.find((path) => path.name === name)!);

describe("workflow costs counted from the ASL", () => {
  it("walks each path to the end it describes", () => {
    expect(walk("duplicate delivery").states.at(-1)).toBe("Duplicate delivery: nothing to do");
    expect(walk("event holds no finding").states).toEqual(["Open the incident", "Not an incident"]);
    expect(walk("automatic, live").states).toContain("Wait for the change to take effect");
    expect(walk("automatic, dry-run").states).not.toContain("Wait for the change to take effect");
    expect(walk("approved, live").states).toContain("Request approval");
    expect(walk("rejected").states.slice(-4)).toEqual([
      "Close as rejected",
      "Record the outcome",
      "Announce the outcome",
      "Incident closed",
    ]);
    expect(walk("live, verification failed").states.slice(-3)).toEqual([
      "Record failure",
      "Escalate the failure",
      "Workflow failed",
    ]);
  });

  it("counts every state entered as a transition and every task state as an invocation", () => {
    const path = walk("approved, live");

    expect(path.transitions).toBe(path.states.length);
    const tasks = path.states.filter((state) => definition.States[state]?.Type === "Task");
    expect(Object.values(path.invocations).reduce((a, b) => a + (b ?? 0), 0)).toBe(tasks.length);
    expect(path.invocations).toEqual({
      open: 1,
      enrich: 1,
      score: 1,
      notify: 2,
      approval: 1,
      remediate: 1,
      verify: 1,
      record: 1,
    });
  });

  it("refuses a path the ASL does not have", () => {
    expect(() =>
      walkPath(definition, {
        name: "bad",
        choices: { "Remediation planned?": "Ask the actor first?", "Risk removed?": "Close as notified" },
      }),
    ).toThrow(/"Close as notified" is not a branch of "Risk removed\?"/);
    expect(() => walkPath(definition, { name: "bad", catches: { "Score the incident": "Not an incident" } })).toThrow(
      /has no Catch to "Not an incident"/,
    );
    expect(() =>
      walkPath(definition, {
        name: "bad",
        choices: { "Dismiss without notice?": "Close as dismissed", "Approval required?": "Request approval" },
      }),
    ).toThrow(/never reached/);
  });

  it("prices a path from its transitions, invocations and the functions' memory", () => {
    const cost = pathCost(walk("dismissed"));

    expect(cost.stepFunctions).toBeCloseTo(9 * PRICES.stateTransition, 12);
    expect(cost.lambdaInvocations).toBe(5);
    expect(cost.total).toBeCloseTo(cost.stepFunctions + cost.lambda, 12);
    expect(workflowCosts().map((c) => c.path)).toEqual(WORKFLOW_PATHS.map((path) => path.name));
    expect(categoriesWithOtherCounts()).toEqual([]);
  });

  it("writes dollars readably", () => {
    expect([dollars(0.51), dollars(0.00045), dollars(0.000032), dollars(0.075)]).toEqual([
      "$0.51",
      "$0.00045",
      "$0.000032",
      "$0.075",
    ]);
  });

  it("is what the README says", () => {
    const readme = readFileSync(join(import.meta.dirname, "..", "..", "README.md"), "utf8");

    expect(readme).toContain(costReport());
  });
});
