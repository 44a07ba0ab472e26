import { describe, expect, it } from "vitest";
import { createHarness, single, types } from "./testing.js";

const jsonata = (states: Record<string, unknown>, startAt = Object.keys(states)[0]) => ({
  QueryLanguage: "JSONata",
  StartAt: startAt,
  States: states,
});

describe("Pass", () => {
  it("outputs its Output, else its input", async () => {
    const h = createHarness();

    const shaped = await h.run(single({ Type: "Pass", Output: { total: "{% $states.input.a + $states.input.b %}" } }), {
      a: 2,
      b: 3,
    });
    const passthrough = await h.run(single({ Type: "Pass" }), { keep: true });

    expect(shaped.record).toMatchObject({ status: "SUCCEEDED", output: { total: 5 } });
    expect(passthrough.record.output).toEqual({ keep: true });
  });

  it("evaluates Assign and Output with the values from state entry; new values show in the next state", async () => {
    const h = createHarness();

    const { record, history } = await h.run(
      jsonata({
        Init: { Type: "Pass", Assign: { x: 3, a: 6 }, Next: "Swap" },
        Swap: { Type: "Pass", Assign: { x: "{% $a %}", nextX: "{% $x %}" }, Output: "{% $x %}", Next: "Read" },
        Read: {
          Type: "Pass",
          Output: { x: "{% $x %}", nextX: "{% $nextX %}", input: "{% $states.input %}" },
          End: true,
        },
      }),
    );

    expect(record.output).toEqual({ x: 6, nextX: 3, input: 3 });
    const swapExit = history.find((e) => e.type === "PassStateExited" && e.stateExitedEventDetails?.name === "Swap");
    expect(swapExit?.stateExitedEventDetails?.assignedVariables).toEqual({ x: "6", nextX: "3" });
  });

  it("fails with States.QueryEvaluationError when an expression returns nothing", async () => {
    const h = createHarness();

    const { record, history } = await h.run(single({ Type: "Pass", Output: "{% $states.input.missing %}" }), {});

    expect(record).toMatchObject({ status: "FAILED", error: "States.QueryEvaluationError" });
    expect(record.cause).toContain("returned nothing");
    expect(types(history)).toEqual(["ExecutionStarted", "PassStateEntered", "EvaluationFailed", "ExecutionFailed"]);
  });
});

describe("Choice", () => {
  const choice = jsonata({
    Decide: {
      Type: "Choice",
      Assign: { seen: true },
      Choices: [
        { Condition: "{% $states.input.n > 10 %}", Next: "Big", Assign: { size: "big" } },
        { Condition: "{% $states.input.n > 5 %}", Next: "Medium", Output: { reshaped: "{% $states.input.n %}" } },
      ],
      Default: "Small",
    },
    Big: { Type: "Pass", Output: { route: "big", size: "{% $size %}", seen: "{% $seen %}" }, End: true },
    Medium: { Type: "Pass", End: true },
    Small: { Type: "Pass", Output: { route: "small", seen: "{% $seen %}" }, End: true },
  });

  it("takes the first rule that holds, applying its Assign with the state's", async () => {
    const h = createHarness();

    const { record } = await h.run(choice, { n: 50 });

    expect(record.output).toEqual({ route: "big", size: "big", seen: true });
  });

  it("uses a matching rule's Output", async () => {
    const h = createHarness();

    const { record } = await h.run(choice, { n: 7 });

    expect(record.output).toEqual({ reshaped: 7 });
  });

  it("falls back to Default", async () => {
    const h = createHarness();

    const { record } = await h.run(choice, { n: 1 });

    expect(record.output).toEqual({ route: "small", seen: true });
  });

  it("fails with States.NoChoiceMatched without a Default", async () => {
    const h = createHarness();
    const definition = jsonata({
      C: { Type: "Choice", Choices: [{ Condition: "{% false %}", Next: "D" }] },
      D: { Type: "Succeed" },
    });

    const { record } = await h.run(definition);

    expect(record).toMatchObject({ status: "FAILED", error: "States.NoChoiceMatched" });
  });

  it("refuses a Condition that is not a boolean", async () => {
    const h = createHarness();
    const definition = jsonata({
      C: { Type: "Choice", Choices: [{ Condition: "{% 'yes' %}", Next: "D" }], Default: "D" },
      D: { Type: "Succeed" },
    });

    const { record } = await h.run(definition);

    expect(record).toMatchObject({ status: "FAILED", error: "States.QueryEvaluationError" });
  });
});

describe("Wait", () => {
  it("waits Seconds on the clock, then passes its input on", async () => {
    const h = createHarness();
    const { stateMachineArn } = h.interpreter.createStateMachine(
      "wait",
      jsonata({ W: { Type: "Wait", Seconds: "{% $states.input.delay %}", Next: "Done" }, Done: { Type: "Succeed" } }),
    );
    const start = h.clock.now();

    const { executionArn } = await h.interpreter.startExecution({ stateMachineArn, input: { delay: 30 } });
    await h.settle(start + 29_000);
    const early = await h.interpreter.describeExecution(executionArn);
    await h.settle();
    const late = await h.interpreter.describeExecution(executionArn);

    expect(early.status).toBe("RUNNING");
    expect(late).toMatchObject({ status: "SUCCEEDED", output: { delay: 30 } });
    expect(Date.parse(late.stopDate ?? "")).toBe(start + 30_000);
  });

  it("waits until a Timestamp", async () => {
    const h = createHarness();
    const until = new Date(h.clock.now() + 3_600_000).toISOString();

    const { record, history } = await h.run(single({ Type: "Wait", Timestamp: "{% $states.input.until %}" }), {
      until,
    });

    expect(record.stopDate).toBe(until);
    expect(types(history)).toEqual(["ExecutionStarted", "WaitStateEntered", "WaitStateExited", "ExecutionSucceeded"]);
  });
});

describe("Wait under a wait scale (RIPOSTE_TEST_WAIT_SCALE, a test aid)", () => {
  it("still enters and exits the Wait state, at that fraction of its Seconds", async () => {
    const h = createHarness({ waitScale: 0.01 });
    const { stateMachineArn } = h.interpreter.createStateMachine(
      "scaled",
      jsonata({ W: { Type: "Wait", Seconds: 15, Next: "Done" }, Done: { Type: "Succeed" } }),
    );
    const start = h.clock.now();

    const { executionArn } = await h.interpreter.startExecution({ stateMachineArn, input: { keep: 1 } });
    await h.settle(start + 149);
    const early = await h.interpreter.describeExecution(executionArn);
    await h.settle();
    const late = await h.interpreter.describeExecution(executionArn);
    const history = await h.interpreter.getExecutionHistory(executionArn);

    expect(early.status).toBe("RUNNING");
    expect(late).toMatchObject({ status: "SUCCEEDED", output: { keep: 1 } });
    expect(Date.parse(late.stopDate ?? "")).toBe(start + 150);
    expect(types(history)).toEqual([
      "ExecutionStarted",
      "WaitStateEntered",
      "WaitStateExited",
      "SucceedStateEntered",
      "SucceedStateExited",
      "ExecutionSucceeded",
    ]);
  });

  it("shortens the time left to a Timestamp, and leaves one already past as it is", async () => {
    const h = createHarness({ waitScale: 0.5 });
    const start = h.clock.now();
    const later = new Date(start + 3_600_000).toISOString();
    const past = new Date(start - 60_000).toISOString();

    const ahead = await h.run(single({ Type: "Wait", Timestamp: "{% $states.input.until %}" }), { until: later });
    const behind = await h.run(single({ Type: "Wait", Timestamp: "{% $states.input.until %}" }), { until: past });

    expect(Date.parse(ahead.record.stopDate ?? "")).toBe(start + 1_800_000);
    expect(Date.parse(behind.record.stopDate ?? "")).toBe(start + 1_800_000);
  });
});

describe("Succeed and Fail", () => {
  it("Succeed ends the execution with its Output", async () => {
    const h = createHarness();

    const { record } = await h.run(single({ Type: "Succeed", Output: { done: "{% $states.input.id %}" } }), { id: 7 });

    expect(record).toMatchObject({ status: "SUCCEEDED", output: { done: 7 } });
  });

  it("Fail ends the execution FAILED with its (computed) Error and Cause", async () => {
    const h = createHarness();
    const definition = jsonata({
      F: { Type: "Fail", Error: "Rejected", Cause: "{% 'because ' & $states.input.why %}" },
    });

    const { record, history } = await h.run(definition, { why: "no" });

    expect(record).toMatchObject({ status: "FAILED", error: "Rejected", cause: "because no" });
    expect(history.at(-1)).toMatchObject({
      type: "ExecutionFailed",
      executionFailedEventDetails: { error: "Rejected", cause: "because no" },
    });
  });
});

describe("JSONata functions Step Functions adds", () => {
  it("provides $partition, $range, $hash, $random(seed), $uuid, $parse and a clock-bound $now", async () => {
    const h = createHarness();

    const { record } = await h.run(
      single({
        Type: "Pass",
        Output: {
          partition: "{% $partition([1,2,3,4,5], 2) %}",
          range: "{% $range(1, 9, 2) %}",
          hash: "{% $hash('riposte', 'SHA-256') %}",
          sameSeed: "{% $random(7) = $random(7) %}",
          uuid: "{% $uuid() %}",
          parsed: "{% $parse('{\"a\":[1]}') %}",
          now: "{% $now() %}",
        },
      }),
    );

    expect(record.output).toMatchObject({
      partition: [[1, 2], [3, 4], [5]],
      range: [1, 3, 5, 7, 9],
      hash: "8cc9727252a782987f9515cc5af511e05d195990622ad8fc2ed73d5040419142",
      sameSeed: true,
      parsed: { a: [1] },
      now: new Date(h.clock.now()).toISOString(),
    });
    expect((record.output as { uuid: string }).uuid).toMatch(/^[0-9a-f-]{36}$/);
  });
});
