import { describe, expect, it } from "vitest";
import { TransientError } from "../../core/errors.js";
import type { HistoryEvent } from "../../core/model/history.js";
import { createHarness, single, types } from "./testing.js";

const invoke = (extra: Record<string, unknown> = {}) => ({
  Type: "Task",
  Resource: "arn:aws:states:::lambda:invoke",
  Arguments: { FunctionName: "arn:aws:lambda:us-east-1:000000000000:function:worker", Payload: "{% $states.input %}" },
  ...extra,
});

/** A function failing `failures` times with `error`, then returning its payload doubled. */
function flaky(failures: number, error: () => Error) {
  const calls: number[] = [];
  let left = failures;
  return {
    calls,
    fn: async (payload: unknown) => {
      calls.push(Date.now());
      if (left-- > 0) throw error();
      return { doubled: (payload as { n: number }).n * 2 };
    },
  };
}

function scheduledTimes(history: HistoryEvent[]): number[] {
  return history.filter((e) => e.type === "TaskScheduled").map((e) => Date.parse(e.timestamp));
}

describe("Task: lambda:invoke", () => {
  it("puts the function's return value under Payload and records the task events", async () => {
    const h = createHarness({ functions: { worker: async (p) => ({ got: p }) } });

    const { record, history } = await h.run(single(invoke({ Output: "{% $states.result.Payload %}" })), { n: 1 });

    expect(record).toMatchObject({ status: "SUCCEEDED", output: { got: { n: 1 } } });
    expect(types(history)).toEqual([
      "ExecutionStarted",
      "TaskStateEntered",
      "TaskScheduled",
      "TaskStarted",
      "TaskSucceeded",
      "TaskStateExited",
      "ExecutionSucceeded",
    ]);
    const scheduled = history[2]?.taskScheduledEventDetails as Record<string, unknown>;
    expect(scheduled).toMatchObject({ resourceType: "lambda", resource: "invoke", region: "us-east-1" });
    expect(JSON.parse(scheduled.parameters as string)).toMatchObject({ Payload: { n: 1 } });
    // As Step Functions links them (GetExecutionHistory's own example in the API reference): the
    // first state's entry follows nothing (0), not ExecutionStarted.
    expect(history.map((e) => e.previousEventId)).toEqual([0, 0, 2, 3, 4, 5, 6]);
    // ExecutionStartedEventDetails has input, inputDetails and roleArn (no stateMachineArn).
    expect(Object.keys(history[0]?.executionStartedEventDetails ?? {}).sort()).toEqual([
      "input",
      "inputDetails",
      "roleArn",
    ]);
  });

  it("gives the whole Lambda response when there is no Output", async () => {
    const h = createHarness({ functions: { worker: async () => "ok" } });

    const { record } = await h.run(single(invoke()));

    expect(record.output).toMatchObject({ Payload: "ok", StatusCode: 200, ExecutedVersion: "$LATEST" });
  });

  it("reports a function's error by its name, with the message in the cause", async () => {
    const h = createHarness({
      functions: {
        worker: async () => {
          throw new TransientError("throttled");
        },
      },
    });

    const { record, history } = await h.run(single(invoke()));

    expect(record).toMatchObject({ status: "FAILED", error: "TransientError" });
    expect(JSON.parse(record.cause ?? "{}")).toMatchObject({ errorType: "TransientError", errorMessage: "throttled" });
    expect(types(history)).toContain("TaskFailed");
  });

  it("fails with Lambda.ResourceNotFoundException for an unknown function", async () => {
    const h = createHarness();

    const { record } = await h.run(single(invoke()));

    expect(record).toMatchObject({ status: "FAILED", error: "Lambda.ResourceNotFoundException" });
  });

  it("refuses a result over the 256 KiB payload quota with States.DataLimitExceeded", async () => {
    const h = createHarness({ functions: { worker: async () => "x".repeat(300_000) } });

    const { record } = await h.run(single(invoke()));

    expect(record).toMatchObject({ status: "FAILED", error: "States.DataLimitExceeded" });
  });
});

describe("Task: Retry", () => {
  it("retries with IntervalSeconds × BackoffRate^n, then succeeds", async () => {
    const worker = flaky(2, () => new TransientError("busy"));
    const h = createHarness({ functions: { worker: worker.fn } });
    const start = h.clock.now();
    const retry = [{ ErrorEquals: ["TransientError"], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 3 }];

    const { record, history } = await h.run(single(invoke({ Retry: retry })), { n: 4 });

    expect(record).toMatchObject({ status: "SUCCEEDED" });
    expect(scheduledTimes(history).map((t) => t - start)).toEqual([0, 2_000, 8_000]);
  });

  it("caps the delay at MaxDelaySeconds and draws FULL jitter below it", async () => {
    const worker = flaky(3, () => new TransientError("busy"));
    const h = createHarness({ functions: { worker: worker.fn }, random: () => 0.5 });
    const start = h.clock.now();
    const retry = [
      {
        ErrorEquals: ["TransientError"],
        IntervalSeconds: 10,
        MaxAttempts: 5,
        MaxDelaySeconds: 15,
        JitterStrategy: "FULL",
      },
    ];

    const { history } = await h.run(single(invoke({ Retry: retry })), { n: 1 });

    // Delays 10, 20→15, 40→15 seconds, each halved by the jitter draw of 0.5.
    expect(scheduledTimes(history).map((t) => t - start)).toEqual([0, 5_000, 12_500, 20_000]);
  });

  it("stops after MaxAttempts and does not fall through to a later retrier", async () => {
    const worker = flaky(10, () => new TransientError("busy"));
    const h = createHarness({ functions: { worker: worker.fn } });
    const retry = [
      { ErrorEquals: ["TransientError"], MaxAttempts: 1 },
      { ErrorEquals: ["States.ALL"], MaxAttempts: 5 },
    ];

    const { record } = await h.run(single(invoke({ Retry: retry })), { n: 1 });

    expect(record).toMatchObject({ status: "FAILED", error: "TransientError" });
    expect(worker.calls).toHaveLength(2);
  });

  it("never retries with MaxAttempts 0", async () => {
    const worker = flaky(1, () => new TransientError("busy"));
    const h = createHarness({ functions: { worker: worker.fn } });

    await h.run(single(invoke({ Retry: [{ ErrorEquals: ["States.ALL"], MaxAttempts: 0 }] })), { n: 1 });

    expect(worker.calls).toHaveLength(1);
  });

  it("exposes the retry count in $states.context.State.RetryCount", async () => {
    const worker = flaky(1, () => new TransientError("busy"));
    const h = createHarness({ functions: { worker: worker.fn } });

    const { record } = await h.run(
      single(
        invoke({
          Retry: [{ ErrorEquals: ["TransientError"] }],
          Output: "{% $states.context.State.RetryCount %}",
        }),
      ),
      { n: 1 },
    );

    expect(record.output).toBe(1);
  });
});

describe("Task: Catch", () => {
  const machine = (catchers: unknown[]) => ({
    QueryLanguage: "JSONata",
    StartAt: "Call",
    States: {
      Call: invoke({ Catch: catchers, Next: "Done" }),
      Done: { Type: "Succeed" },
      Specific: { Type: "Pass", Output: { handler: "specific", error: "{% $states.input.Error %}" }, End: true },
      General: { Type: "Pass", Output: { handler: "general", seen: "{% $failure %}" }, End: true },
    },
  });

  it("uses the first catcher naming the error, with the error output and its Assign", async () => {
    const h = createHarness({
      functions: {
        worker: async () => {
          throw new TransientError("busy");
        },
      },
    });

    const { record } = await h.run(
      machine([
        { ErrorEquals: ["TransientError"], Next: "General", Assign: { failure: "{% $states.errorOutput.Error %}" } },
        { ErrorEquals: ["States.ALL"], Next: "Specific" },
      ]),
    );

    expect(record.output).toEqual({ handler: "general", seen: "TransientError" });
  });

  it("lets States.TaskFailed catch a function error but not a timeout", async () => {
    const catchers = [
      { ErrorEquals: ["States.TaskFailed"], Next: "Specific" },
      { ErrorEquals: ["States.Timeout"], Next: "General", Assign: { failure: "timeout" } },
    ];
    const definition = machine(catchers);
    (definition.States.Call as Record<string, unknown>).TimeoutSeconds = 5;
    // A function that never answers keeps the runner busy, so the clock is moved by hand.
    const slow = createHarness({ functions: { worker: () => new Promise(() => {}) } });
    const failing = createHarness({
      functions: {
        worker: async () => {
          throw new Error("boom");
        },
      },
    });
    const { stateMachineArn } = slow.interpreter.createStateMachine("slow", definition);

    const { executionArn } = await slow.interpreter.startExecution({ stateMachineArn });
    await new Promise((resolve) => setImmediate(resolve));
    slow.clock.step(Number.POSITIVE_INFINITY);
    await slow.settle();
    const timedOut = await slow.interpreter.describeExecution(executionArn);
    const failed = await failing.run(definition);

    expect(timedOut.output).toEqual({ handler: "general", seen: "timeout" });
    expect(types(await slow.interpreter.getExecutionHistory(executionArn))).toContain("TaskTimedOut");
    expect(failed.record.output).toEqual({ handler: "specific", error: "Error" });
  });

  it("catches a JSONata failure in Arguments as States.QueryEvaluationError", async () => {
    const h = createHarness({ functions: { worker: async () => "never" } });
    const definition = machine([
      { ErrorEquals: ["States.QueryEvaluationError"], Next: "Specific" },
      { ErrorEquals: ["States.ALL"], Next: "General" },
    ]);
    (definition.States.Call as { Arguments: unknown }).Arguments = { FunctionName: "worker", Payload: "{% $nope %}" };

    const { record, history } = await h.run(definition);

    expect(record.output).toEqual({ handler: "specific", error: "States.QueryEvaluationError" });
    expect(types(history)).toContain("EvaluationFailed");
    expect(types(history)).not.toContain("TaskScheduled");
  });
});

describe("Task: callbacks (.waitForTaskToken)", () => {
  const callback = (extra: Record<string, unknown> = {}) =>
    single({
      Type: "Task",
      Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
      Arguments: { FunctionName: "ask", Payload: { token: "{% $states.context.Task.Token %}" } },
      ...extra,
    });

  async function started(extra: Record<string, unknown> = {}, ask?: (p: unknown) => Promise<unknown>) {
    const tokens: string[] = [];
    const h = createHarness({
      functions: {
        ask:
          ask ??
          (async (payload) => {
            tokens.push((payload as { token: string }).token);
            return { asked: true };
          }),
      },
    });
    const { stateMachineArn } = h.interpreter.createStateMachine("callback", callback(extra));
    const { executionArn } = await h.interpreter.startExecution({ stateMachineArn, input: {} });
    await h.settle(h.clock.now());
    return { h, tokens, executionArn };
  }

  it("waits for SendTaskSuccess and outputs what it carries", async () => {
    const { h, tokens, executionArn } = await started();
    const waiting = await h.interpreter.describeExecution(executionArn);

    await h.interpreter.sendTaskSuccess(tokens[0] ?? "", { decision: "approve" });
    await h.settle();
    const done = await h.interpreter.describeExecution(executionArn);
    const history = await h.interpreter.getExecutionHistory(executionArn);

    expect(waiting.status).toBe("RUNNING");
    expect(done).toMatchObject({ status: "SUCCEEDED", output: { decision: "approve" } });
    expect(types(history)).toEqual([
      "ExecutionStarted",
      "TaskStateEntered",
      "TaskScheduled",
      "TaskStarted",
      "TaskSubmitted",
      "TaskSucceeded",
      "TaskStateExited",
      "ExecutionSucceeded",
    ]);
    await expect(h.interpreter.sendTaskSuccess(tokens[0] ?? "", {})).rejects.toMatchObject({
      name: "TaskDoesNotExist",
    });
  });

  it("fails the task with SendTaskFailure's error", async () => {
    const { h, tokens, executionArn } = await started();

    await h.interpreter.sendTaskFailure(tokens[0] ?? "", "Rejected", "said no");
    await h.settle();

    expect(await h.interpreter.describeExecution(executionArn)).toMatchObject({
      status: "FAILED",
      error: "Rejected",
      cause: "said no",
    });
  });

  it("accepts a callback that arrives before the resource returns", async () => {
    const h = createHarness();
    h.functions.set("ask", async (payload) => {
      await h.interpreter.sendTaskSuccess((payload as { token: string }).token, { early: true });
      return {};
    });

    const { record } = await h.run(callback());

    expect(record).toMatchObject({ status: "SUCCEEDED", output: { early: true } });
  });

  it("times out with States.Timeout at TimeoutSeconds; a late callback gets TaskTimedOut", async () => {
    const { h, tokens, executionArn } = await started({ TimeoutSeconds: 3600 });
    const start = h.clock.now();

    await h.settle(start + 3_599_000);
    const before = await h.interpreter.describeExecution(executionArn);
    await h.settle();
    const after = await h.interpreter.describeExecution(executionArn);

    expect(before.status).toBe("RUNNING");
    expect(after).toMatchObject({ status: "FAILED", error: "States.Timeout" });
    await expect(h.interpreter.sendTaskSuccess(tokens[0] ?? "", {})).rejects.toMatchObject({ name: "TaskTimedOut" });
  });

  it("times out at HeartbeatSeconds unless heartbeats keep it alive", async () => {
    const { h, tokens, executionArn } = await started({ HeartbeatSeconds: 60 });
    const start = h.clock.now();

    await h.settle(start + 50_000);
    await h.interpreter.sendTaskHeartbeat(tokens[0] ?? "");
    await h.settle(start + 100_000);
    const kept = await h.interpreter.describeExecution(executionArn);
    await h.settle();
    const lapsed = await h.interpreter.describeExecution(executionArn);

    expect(kept.status).toBe("RUNNING");
    expect(lapsed).toMatchObject({ status: "FAILED", error: "States.HeartbeatTimeout" });
    expect(Date.parse(lapsed.stopDate ?? "")).toBe(start + 110_000);
  });

  it("refuses malformed tokens", async () => {
    const h = createHarness();

    await expect(h.interpreter.sendTaskSuccess("not-a-token", {})).rejects.toMatchObject({ name: "InvalidToken" });
  });
});
