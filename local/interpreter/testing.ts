import type { HistoryEvent } from "../../core/model/history.js";
import { MemoryExecutionStore } from "../../core/store/memory-executions.js";
import type { StoredExecution } from "../../core/store/ports.js";
import { ManualClock } from "./clock.js";
import { functionNameOf, type LocalFunction } from "./integrations.js";
import { Interpreter } from "./interpreter.js";

/**
 * A test harness: an interpreter on a manual clock and an in-memory store, with functions given
 * by name. `settle()` lets every execution run as far as it can, firing due timers, without
 * real sleeping.
 */

export interface Harness {
  interpreter: Interpreter;
  clock: ManualClock;
  executions: MemoryExecutionStore;
  functions: Map<string, LocalFunction>;
  /**
   * Run until nothing is computing and no timer is due before `untilMs` (default: all timers),
   * leaving the clock at `untilMs`.
   */
  settle(untilMs?: number): Promise<void>;
  /** Register `definition`, start it with `input`, settle, and return the record and history. */
  run(definition: unknown, input?: unknown): Promise<{ record: StoredExecution; history: HistoryEvent[] }>;
}

export interface HarnessOptions {
  functions?: Record<string, LocalFunction>;
  random?: () => number;
  executions?: MemoryExecutionStore;
  clock?: ManualClock;
  /** The interpreter's `waitScale` (RIPOSTE_TEST_WAIT_SCALE's effect). */
  waitScale?: number;
}

let machines = 0;

export function createHarness(options: HarnessOptions = {}): Harness {
  const clock = options.clock ?? new ManualClock();
  const executions = options.executions ?? new MemoryExecutionStore();
  const functions = new Map(Object.entries(options.functions ?? {}));
  const interpreter = new Interpreter({
    executions,
    functions: (name) => functions.get(functionNameOf(name)),
    clock,
    waitScale: options.waitScale,
    random: options.random ?? (() => 0.5),
  });
  const settle = async (untilMs = Number.POSITIVE_INFINITY) => {
    await interpreter.idle();
    while (clock.step(untilMs)) await interpreter.idle();
    if (Number.isFinite(untilMs)) clock.set(untilMs);
  };
  return {
    interpreter,
    clock,
    executions,
    functions,
    settle,
    async run(definition, input = {}) {
      const { stateMachineArn } = interpreter.createStateMachine(`machine-${++machines}`, definition);
      const { executionArn } = await interpreter.startExecution({ stateMachineArn, input });
      await settle();
      return {
        record: await interpreter.describeExecution(executionArn),
        history: await interpreter.getExecutionHistory(executionArn),
      };
    },
  };
}

/** The event types of a history, in order (the shape most assertions read best in). */
export function types(history: HistoryEvent[]): string[] {
  return history.map((event) => event.type);
}

/** A one-state JSONata machine around `state` (named "S"), ending there. */
export function single(state: Record<string, unknown>): Record<string, unknown> {
  const terminal = state.Type === "Succeed" || state.Type === "Fail";
  return { QueryLanguage: "JSONata", StartAt: "S", States: { S: terminal ? state : { ...state, End: true } } };
}
