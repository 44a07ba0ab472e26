import { describe, expect, it } from "vitest";
import { MemoryExecutionStore } from "../../core/store/memory-executions.js";
import type { ExecutionStore } from "../../core/store/ports.js";
import { ManualClock } from "./clock.js";
import { createHarness, single, types } from "./testing.js";

const approval = {
  QueryLanguage: "JSONata",
  StartAt: "Ask",
  States: {
    Ask: {
      Type: "Task",
      Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
      Arguments: { FunctionName: "ask", Payload: { token: "{% $states.context.Task.Token %}" } },
      TimeoutSeconds: 3600,
      Assign: { answer: "{% $states.result.decision %}" },
      Next: "Pause",
    },
    Pause: { Type: "Wait", Seconds: 600, Next: "Done" },
    Done: { Type: "Pass", Output: { answer: "{% $answer %}" }, End: true },
  },
};

describe("StartExecution", () => {
  it("is idempotent for a running execution with the same name and input", async () => {
    const h = createHarness({ functions: { ask: async () => ({}) } });
    const { stateMachineArn } = h.interpreter.createStateMachine("approval", approval);

    const [first, second] = await Promise.all([
      h.interpreter.startExecution({ stateMachineArn, name: "incident-1", input: { a: 1 } }),
      h.interpreter.startExecution({ stateMachineArn, name: "incident-1", input: { a: 1 } }),
    ]);
    await h.settle(h.clock.now());

    expect(first.started).toBe(true);
    expect(second).toMatchObject({ started: false, executionArn: first.executionArn });
    expect(await h.executions.listExecutions()).toHaveLength(1);
  });

  it("refuses a name already used with another input, or by a closed execution", async () => {
    const h = createHarness();
    const { stateMachineArn } = h.interpreter.createStateMachine("pass", single({ Type: "Pass" }));
    await h.interpreter.startExecution({ stateMachineArn, name: "once", input: {} });
    await h.settle();

    await expect(h.interpreter.startExecution({ stateMachineArn, name: "once", input: {} })).rejects.toMatchObject({
      name: "ExecutionAlreadyExists",
    });
  });

  it("refuses invalid names and oversized input", async () => {
    const h = createHarness();
    const { stateMachineArn } = h.interpreter.createStateMachine("pass", single({ Type: "Pass" }));

    await expect(h.interpreter.startExecution({ stateMachineArn, name: "a b" })).rejects.toMatchObject({
      name: "InvalidName",
    });
    await expect(h.interpreter.startExecution({ stateMachineArn, name: "x".repeat(81) })).rejects.toMatchObject({
      name: "InvalidName",
    });
    await expect(
      h.interpreter.startExecution({ stateMachineArn, input: { big: "x".repeat(300_000) } }),
    ).rejects.toMatchObject({ name: "InvalidExecutionInput" });
  });

  it("names unknown state machines", async () => {
    const h = createHarness();

    await expect(h.interpreter.startExecution({ stateMachineArn: "arn:nope" })).rejects.toMatchObject({
      name: "StateMachineDoesNotExist",
    });
  });
});

describe("restarts", () => {
  it("keeps a callback task waiting across a restart, and the callback still completes it", async () => {
    const executions = new MemoryExecutionStore();
    const clock = new ManualClock();
    const asked: string[] = [];
    const before = createHarness({
      executions,
      clock,
      functions: {
        ask: async (p) => {
          asked.push((p as { token: string }).token);
          return {};
        },
      },
    });
    const { stateMachineArn } = before.interpreter.createStateMachine("approval", approval);
    const { executionArn } = await before.interpreter.startExecution({ stateMachineArn, name: "inc-1" });
    await before.settle(clock.now());

    await before.interpreter.close();
    const after = createHarness({ executions, clock, functions: { ask: async () => ({}) } });
    after.interpreter.createStateMachine("approval", approval);
    const resumed = await after.interpreter.resume();
    await after.settle(clock.now() + 60_000);
    await after.interpreter.sendTaskSuccess(asked[0] ?? "", { decision: "approve" });
    await after.settle();
    const record = await after.interpreter.describeExecution(executionArn);
    const history = await after.interpreter.getExecutionHistory(executionArn);

    expect(resumed).toBe(1);
    expect(asked).toHaveLength(1);
    expect(record).toMatchObject({ status: "SUCCEEDED", output: { answer: "approve" } });
    expect(types(history).filter((t) => t === "TaskScheduled")).toHaveLength(1);
    expect(history.map((e) => e.id)).toEqual(history.map((_, index) => index + 1));
  });

  it("continues with a callback it took before a crash, and accepts no second one", async () => {
    // A store that stops writing at the "crash", like a killed process: nothing later is durable.
    class CrashingStore extends MemoryExecutionStore {
      crashed = false;
      override async putExecution(...args: Parameters<MemoryExecutionStore["putExecution"]>) {
        if (!this.crashed) await super.putExecution(...args);
      }
      override async appendHistory(...args: Parameters<MemoryExecutionStore["appendHistory"]>) {
        if (!this.crashed) await super.appendHistory(...args);
      }
    }
    const executions = new CrashingStore();
    const clock = new ManualClock();
    const asked: string[] = [];
    const before = createHarness({
      executions,
      clock,
      functions: {
        ask: async (p) => {
          asked.push((p as { token: string }).token);
          return {};
        },
      },
    });
    const { stateMachineArn } = before.interpreter.createStateMachine("approval", approval);
    const { executionArn } = await before.interpreter.startExecution({ stateMachineArn, name: "inc-2" });
    await before.settle(clock.now());

    await before.interpreter.sendTaskSuccess(asked[0] ?? "", { decision: "approve" });
    await before.interpreter.callbackTaken(asked[0] ?? "");
    executions.crashed = true;
    const after = createHarness({ executions: new MemoryExecutionStore(), clock });
    const copy = after.executions;
    for (const record of await executions.listExecutions()) await copy.putExecution(record);
    await copy.appendHistory(executionArn, await executions.getHistory(executionArn));
    after.interpreter.createStateMachine("approval", approval);
    await after.interpreter.resume();
    await expect(after.interpreter.sendTaskSuccess(asked[0] ?? "", { decision: "reject" })).rejects.toMatchObject({
      name: "TaskDoesNotExist",
    });
    await after.settle();
    const record = await after.interpreter.describeExecution(executionArn);
    const history = await after.interpreter.getExecutionHistory(executionArn);

    expect(record).toMatchObject({ status: "SUCCEEDED", output: { answer: "approve" } });
    expect(types(history).filter((t) => t === "TaskSucceeded")).toHaveLength(1);
    expect(history.map((e) => e.id)).toEqual(history.map((_, index) => index + 1));
  });

  it("takes a callback sent right after resume(), before the resumed task is waiting again", async () => {
    const executions = new MemoryExecutionStore();
    const clock = new ManualClock();
    const asked: string[] = [];
    const before = createHarness({
      executions,
      clock,
      functions: {
        ask: async (p) => {
          asked.push((p as { token: string }).token);
          return {};
        },
      },
    });
    const { stateMachineArn } = before.interpreter.createStateMachine("approval", approval);
    const { executionArn } = await before.interpreter.startExecution({ stateMachineArn, name: "inc-4" });
    await before.settle(clock.now());
    await before.interpreter.close();

    const after = createHarness({ executions, clock, functions: { ask: async () => ({}) } });
    after.interpreter.createStateMachine("approval", approval);
    await after.interpreter.resume();
    await after.interpreter.sendTaskSuccess(asked[0] ?? "", { decision: "approve" });
    await after.interpreter.callbackTaken(asked[0] ?? "");
    await after.settle();

    expect(await after.interpreter.describeExecution(executionArn)).toMatchObject({
      status: "SUCCEEDED",
      output: { answer: "approve" },
    });
  });

  it("reports a callback as not taken when its task ended first", async () => {
    let token = "";
    const h = createHarness({
      functions: {
        ask: async (p) => {
          token = (p as { token: string }).token;
          await h.interpreter.sendTaskSuccess(token, { decision: "approve" });
          throw Object.assign(new Error("Slack is down"), { name: "SlackDown" });
        },
      },
    });

    const { record } = await h.run(approval);

    expect(record).toMatchObject({ status: "FAILED", error: "SlackDown" });
    await expect(h.interpreter.callbackTaken(token)).rejects.toMatchObject({ name: "TaskDoesNotExist" });
  });

  it("keeps the original deadline of a Wait across a restart", async () => {
    const executions = new MemoryExecutionStore();
    const clock = new ManualClock();
    const definition = {
      QueryLanguage: "JSONata",
      StartAt: "W",
      States: { W: { Type: "Wait", Seconds: 600, End: true } },
    };
    const before = createHarness({ executions, clock });
    const { stateMachineArn } = before.interpreter.createStateMachine("wait", definition);
    const start = clock.now();
    const { executionArn } = await before.interpreter.startExecution({ stateMachineArn });
    await before.settle(start + 200_000);

    await before.interpreter.close();
    const after = createHarness({ executions, clock });
    after.interpreter.createStateMachine("wait", definition);
    await after.interpreter.resume();
    await after.settle();

    const record = await after.interpreter.describeExecution(executionArn);
    expect(record.status).toBe("SUCCEEDED");
    expect(Date.parse(record.stopDate ?? "")).toBe(start + 600_000);
  });

  it("lets a running function finish on close, then resumes at the next state", async () => {
    const executions = new MemoryExecutionStore();
    const clock = new ManualClock();
    let release = () => {};
    let calls = 0;
    const definition = {
      QueryLanguage: "JSONata",
      StartAt: "Work",
      States: {
        Work: {
          Type: "Task",
          Resource: "arn:aws:states:::lambda:invoke",
          Arguments: { FunctionName: "work" },
          Output: "{% $states.result.Payload %}",
          Next: "Next",
        },
        Next: { Type: "Pass", Output: { after: "{% $states.input %}" }, End: true },
      },
    };
    const before = createHarness({
      executions,
      clock,
      functions: {
        work: () => {
          calls++;
          return new Promise((resolve) => (release = () => resolve("worked")));
        },
      },
    });
    const { stateMachineArn } = before.interpreter.createStateMachine("work", definition);
    const { executionArn } = await before.interpreter.startExecution({ stateMachineArn });
    await new Promise((resolve) => setImmediate(resolve));

    const closing = before.interpreter.close();
    release();
    await closing;
    const halted = await executions.getExecution(executionArn);
    const after = createHarness({ executions, clock, functions: { work: async () => "again" } });
    after.interpreter.createStateMachine("work", definition);
    await after.interpreter.resume();
    await after.settle();

    expect(halted?.status).toBe("RUNNING");
    expect(calls).toBe(1);
    expect(await after.interpreter.describeExecution(executionArn)).toMatchObject({
      status: "SUCCEEDED",
      output: { after: "worked" },
    });
  });

  it("fails an execution whose checkpoint is unusable", async () => {
    const executions = new MemoryExecutionStore();
    await executions.putExecution({
      executionArn: "arn:aws:states:us-east-1:000000000000:execution:pass:broken",
      name: "broken",
      stateMachineArn: "arn:aws:states:us-east-1:000000000000:stateMachine:pass",
      status: "RUNNING",
      startDate: new Date(0).toISOString(),
      input: {},
      checkpoint: { garbage: true },
    });
    const h = createHarness({ executions });
    h.interpreter.createStateMachine("pass", single({ Type: "Pass" }));

    await h.interpreter.resume();

    expect(await executions.getExecution("arn:aws:states:us-east-1:000000000000:execution:pass:broken")).toMatchObject({
      status: "FAILED",
      error: "States.Runtime",
    });
  });
});

describe("stopping and timing out", () => {
  it("StopExecution ends a waiting execution ABORTED and invalidates its token", async () => {
    const tokens: string[] = [];
    const h = createHarness({
      functions: {
        ask: async (p) => {
          tokens.push((p as { token: string }).token);
          return {};
        },
      },
    });
    const { stateMachineArn } = h.interpreter.createStateMachine("approval", approval);
    const { executionArn } = await h.interpreter.startExecution({ stateMachineArn });
    await h.settle(h.clock.now());

    await h.interpreter.stopExecution(executionArn, { error: "Operator", cause: "no longer needed" });
    await h.settle();

    expect(await h.interpreter.describeExecution(executionArn)).toMatchObject({
      status: "ABORTED",
      error: "Operator",
    });
    await expect(h.interpreter.sendTaskSuccess(tokens[0] ?? "", {})).rejects.toMatchObject({
      name: "TaskDoesNotExist",
    });
  });

  it("ends TIMED_OUT at the state machine's TimeoutSeconds", async () => {
    const h = createHarness();

    const { record, history } = await h.run({
      QueryLanguage: "JSONata",
      TimeoutSeconds: 60,
      StartAt: "W",
      States: { W: { Type: "Wait", Seconds: 3600, End: true } },
    });

    expect(record.status).toBe("TIMED_OUT");
    expect(history.at(-1)?.type).toBe("ExecutionTimedOut");
  });

  it("waitForExecution resolves when the execution ends", async () => {
    const h = createHarness();
    const { stateMachineArn } = h.interpreter.createStateMachine("pass", single({ Type: "Pass", Output: 42 }));

    const { executionArn } = await h.interpreter.startExecution({ stateMachineArn });
    const record = await h.interpreter.waitForExecution(executionArn);

    expect(record).toMatchObject({ status: "SUCCEEDED", output: 42 });
  });
});

describe("close", () => {
  it("gives up on a task that does not finish within the grace period; the restart runs it again", async () => {
    const executions = new MemoryExecutionStore();
    const clock = new ManualClock();
    const definition = single({
      Type: "Task",
      Resource: "arn:aws:states:::lambda:invoke",
      Arguments: { FunctionName: "work" },
      Output: "{% $states.result.Payload %}",
    });
    let hung = 0;
    const before = createHarness({
      executions,
      clock,
      functions: {
        work: () => {
          hung++;
          return new Promise(() => {});
        },
      },
    });
    const { stateMachineArn } = before.interpreter.createStateMachine("work", definition);
    const { executionArn } = await before.interpreter.startExecution({ stateMachineArn });
    await new Promise((resolve) => setImmediate(resolve));

    await before.interpreter.close({ graceMs: 10 });
    const halted = await executions.getExecution(executionArn);
    const after = createHarness({ executions, clock, functions: { work: async () => "done" } });
    after.interpreter.createStateMachine("work", definition);
    await after.interpreter.resume();
    await after.settle();

    expect(hung).toBe(1);
    expect(halted?.status).toBe("RUNNING");
    expect(await after.interpreter.describeExecution(executionArn)).toMatchObject({
      status: "SUCCEEDED",
      output: "done",
    });
  });
});

describe("checkpoints", () => {
  it("saves each step's checkpoint and history in one write when the store offers it", async () => {
    // Arrange: a store that counts how it is written to.
    const calls: string[] = [];
    class CountingStore extends MemoryExecutionStore {
      override async putExecution(...args: Parameters<MemoryExecutionStore["putExecution"]>) {
        calls.push("putExecution");
        await super.putExecution(...args);
      }
      override async appendHistory(...args: Parameters<MemoryExecutionStore["appendHistory"]>) {
        calls.push("appendHistory");
        await super.appendHistory(...args);
      }
      async saveProgress(...[execution, events]: Parameters<NonNullable<ExecutionStore["saveProgress"]>>) {
        calls.push("saveProgress");
        await super.putExecution(execution);
        await super.appendHistory(execution.executionArn, events);
      }
    }
    const executions = new CountingStore();
    const h = createHarness({ executions });
    const { stateMachineArn } = h.interpreter.createStateMachine("pass", single({ Type: "Pass" }));

    // Act
    const { executionArn } = await h.interpreter.startExecution({ stateMachineArn, name: "one-write", input: {} });
    await h.settle();

    // Assert: every progress write after the start went through saveProgress, and the history is whole.
    const progress = calls.slice(calls.indexOf("saveProgress"));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((call) => call === "saveProgress")).toBe(true);
    expect(await executions.getExecution(executionArn)).toMatchObject({ status: "SUCCEEDED" });
    expect(types(await executions.getHistory(executionArn))).toContain("ExecutionSucceeded");
  });
});
