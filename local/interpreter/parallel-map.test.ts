import { describe, expect, it } from "vitest";
import { createHarness, single, types } from "./testing.js";

const branch = (states: Record<string, unknown>) => ({ StartAt: Object.keys(states)[0], States: states });

describe("Parallel", () => {
  it("gives every branch the same input and outputs their results in branch order", async () => {
    const h = createHarness();

    const { record, history } = await h.run(
      single({
        Type: "Parallel",
        Arguments: { n: "{% $states.input.n %}" },
        Branches: [
          branch({ A: { Type: "Pass", Output: "{% $states.input.n + 1 %}", End: true } }),
          branch({ B: { Type: "Pass", Output: "{% $states.input.n * 10 %}", End: true } }),
        ],
        Output: { results: "{% $states.result %}" },
      }),
      { n: 4 },
    );

    expect(record.output).toEqual({ results: [5, 40] });
    expect(types(history).filter((t) => t.startsWith("Parallel"))).toEqual([
      "ParallelStateEntered",
      "ParallelStateStarted",
      "ParallelStateSucceeded",
      "ParallelStateExited",
    ]);
  });

  it("lets branches read outer variables, and keeps their own variables inside", async () => {
    const h = createHarness();

    const { record } = await h.run({
      QueryLanguage: "JSONata",
      StartAt: "Set",
      States: {
        Set: { Type: "Pass", Assign: { outer: "o" }, Next: "P" },
        P: {
          Type: "Parallel",
          Branches: [
            branch({
              X: { Type: "Pass", Assign: { inner: 1 }, Next: "Y" },
              Y: { Type: "Pass", Output: "{% $outer & $string($inner) %}", End: true },
            }),
          ],
          Next: "After",
        },
        After: { Type: "Pass", Output: { r: "{% $states.input %}", leaked: "{% $exists($inner) %}" }, End: true },
      },
    });

    expect(record.output).toEqual({ r: ["o1"], leaked: false });
  });

  it("fails when a branch fails, and its Catch can assign in the enclosing scope", async () => {
    const h = createHarness();

    const { record, history } = await h.run({
      QueryLanguage: "JSONata",
      StartAt: "P",
      States: {
        P: {
          Type: "Parallel",
          Branches: [
            branch({ Ok: { Type: "Pass", End: true } }),
            branch({ Bad: { Type: "Fail", Error: "BranchBroke", Cause: "on purpose" } }),
          ],
          Catch: [
            { ErrorEquals: ["BranchBroke"], Next: "Handled", Assign: { why: "{% $states.errorOutput.Cause %}" } },
          ],
          Next: "Handled",
        },
        Handled: { Type: "Pass", Output: { why: "{% $why %}", error: "{% $states.input.Error %}" }, End: true },
      },
    });

    expect(record.output).toEqual({ why: "on purpose", error: "BranchBroke" });
    expect(types(history)).toContain("ParallelStateFailed");
  });
});

describe("Map", () => {
  it("runs one iteration per item with ItemSelector and the item context", async () => {
    const h = createHarness();

    const { record, history } = await h.run(
      {
        QueryLanguage: "JSONata",
        StartAt: "Rate",
        States: {
          Rate: { Type: "Pass", Assign: { rate: 2 }, Next: "M" },
          M: {
            Type: "Map",
            Items: "{% $states.input.items %}",
            ItemSelector: { v: "{% $states.context.Map.Item.Value %}", i: "{% $states.context.Map.Item.Index %}" },
            ItemProcessor: branch({
              X: { Type: "Pass", Output: "{% $states.input.v * $states.input.i * $rate %}", End: true },
            }),
            End: true,
          },
        },
      },
      { items: [5, 6, 7] },
    );

    expect(record.output).toEqual([0, 12, 28]);
    const started = history.find((e) => e.type === "MapStateStarted");
    expect(started?.mapStateStartedEventDetails).toEqual({ length: 3 });
    expect(types(history).filter((t) => t === "MapIterationSucceeded")).toHaveLength(3);
  });

  it("iterates an object's entries, with the key in the item context", async () => {
    const h = createHarness();

    const { record } = await h.run(
      single({
        Type: "Map",
        Items: { a: 1, b: 2 },
        ItemSelector: "{% $states.context.Map.Item.Key & '=' & $string($states.context.Map.Item.Value) %}",
        ItemProcessor: branch({ X: { Type: "Pass", End: true } }),
      }),
    );

    expect(record.output).toEqual(["a=1", "b=2"]);
  });

  it("keeps at most MaxConcurrency iterations in flight", async () => {
    let inFlight = 0;
    let peak = 0;
    const h = createHarness({
      functions: {
        work: async (item) => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await new Promise((resolve) => setImmediate(resolve));
          inFlight--;
          return item;
        },
      },
    });

    const { record } = await h.run(
      single({
        Type: "Map",
        MaxConcurrency: 2,
        ItemProcessor: branch({
          Call: {
            Type: "Task",
            Resource: "arn:aws:states:::lambda:invoke",
            Arguments: { FunctionName: "work", Payload: "{% $states.input %}" },
            Output: "{% $states.result.Payload %}",
            End: true,
          },
        }),
      }),
      [1, 2, 3, 4, 5],
    );

    expect(record.output).toEqual([1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
  });

  it("fails on a failed iteration, aborting the others, with MapStateFailed", async () => {
    const h = createHarness();

    const { record, history } = await h.run(
      single({
        Type: "Map",
        ItemProcessor: branch({
          Check: {
            Type: "Choice",
            Choices: [{ Condition: "{% $states.input = 2 %}", Next: "Bad" }],
            Default: "Wait",
          },
          Wait: { Type: "Wait", Seconds: 60, End: true },
          Bad: { Type: "Fail", Error: "ItemRejected" },
        }),
      }),
      [1, 2, 3],
    );

    expect(record).toMatchObject({ status: "FAILED", error: "ItemRejected" });
    expect(types(history)).toEqual(
      expect.arrayContaining(["MapIterationFailed", "MapIterationAborted", "MapStateFailed"]),
    );
    expect(Date.parse(record.stopDate ?? "")).toBe(h.clock.now());
  });

  it("refuses Items that are not an array or object", async () => {
    const h = createHarness();

    const { record } = await h.run(
      single({ Type: "Map", Items: "{% 'text' %}", ItemProcessor: branch({ X: { Type: "Pass", End: true } }) }),
    );

    expect(record).toMatchObject({ status: "FAILED", error: "States.QueryEvaluationError" });
  });
});
