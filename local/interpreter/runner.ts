import type { FrameData } from "./checkpoint.js";
import { STATES_ERRORS } from "./errors.js";
import type { State, StateGraph } from "./model.js";
import { type Cancellation, Cancelled, type Run } from "./run.js";
import { exitState, type Scope, type StateResult } from "./scope.js";
import { runChoice, runFail, runPass, runSucceed, runWait } from "./states/flow.js";
import { asFailure, reportEvaluationFailure } from "./states/recovery.js";
import { runTask } from "./states/task.js";

/**
 * Runs the machine's frame state by state until it ends or fails. Each transition updates the frame in place (state, input, variables) and
 * schedules a checkpoint; a frame resumed from a checkpoint re-enters its state without
 * repeating the "entered" event.
 */

export type FrameOutcome = { ok: true; output: unknown } | { ok: false; error: string; cause: string };

function dispatch(run: Run, state: State, frame: FrameData, scope: Scope, cancel: Cancellation): Promise<StateResult> {
  switch (state.type) {
    case "Task":
      return runTask(run, state, frame, scope, cancel);
    case "Choice":
      return runChoice(run, state, frame, scope);
    case "Pass":
      return runPass(run, state, frame, scope);
    case "Wait":
      return runWait(run, state, frame, scope, cancel);
    case "Succeed":
      return runSucceed(run, state, frame, scope);
    case "Fail":
      return runFail(run, state, frame, scope);
  }
}

// The JSON text of a frame's current input, when the previous state's exit already made it.
const inputTexts = new WeakMap<FrameData, string>();

function enter(run: Run, state: State, frame: FrameData): void {
  const input = inputTexts.get(frame) ?? JSON.stringify(frame.input ?? null);
  inputTexts.delete(frame);
  frame.lastEventId = run.history.add(`${state.type}StateEntered`, frame.lastEventId, {
    name: state.name,
    input,
    inputDetails: { truncated: false },
  });
  frame.step = {
    enteredAt: run.services.clock.now(),
    enteredEventId: frame.lastEventId,
    attempts: [],
    retryCount: 0,
  };
  run.touch();
}

export async function runFrame(
  run: Run,
  graph: StateGraph,
  frame: FrameData,
  scope: Scope,
  cancel: Cancellation,
): Promise<FrameOutcome> {
  const { activity } = run.services;
  activity.enter();
  try {
    for (;;) {
      cancel.throwIfCancelled();
      const state = graph.states.get(frame.state);
      if (!state) {
        return { ok: false, error: STATES_ERRORS.runtime, cause: `The state "${frame.state}" does not exist.` };
      }
      if (!frame.step) enter(run, state, frame);
      let result: StateResult;
      let exit: NonNullable<StateResult["exit"]>;
      try {
        result = await dispatch(run, state, frame, scope, cancel);
        exit = result.exit ?? exitState(state.name, result);
      } catch (error) {
        if (error instanceof Cancelled) throw error;
        const failure = asFailure(error);
        reportEvaluationFailure(run, frame, state.name, failure);
        return { ok: false, error: failure.error, cause: failure.cause };
      }
      Object.assign(scope.vars, result.assigned);
      frame.lastEventId = run.history.add(`${state.type}StateExited`, frame.lastEventId, exit.details);
      frame.step = undefined;
      if (result.next === undefined) {
        run.touch();
        return { ok: true, output: result.output };
      }
      frame.state = result.next;
      frame.input = result.output;
      inputTexts.set(frame, exit.outputText);
      run.touch();
    }
  } finally {
    activity.leave();
  }
}
