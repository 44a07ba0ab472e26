import type { FrameData } from "../checkpoint.js";
import type { ParallelState } from "../model.js";
import type { Cancellation, Run } from "../run.js";
import { ensureWithinLimit, evalScope, type Scope, type StateResult } from "../scope.js";
import { type RunFrame, runChildren } from "./children.js";
import { withRecovery } from "./recovery.js";

/**
 * The Parallel state: every branch gets the same input (Arguments, or the state input) and the
 * result is the array of branch outputs, in branch order. A failing branch fails the state;
 * its Retry re-runs every branch.
 */
export function runParallel(
  run: Run,
  state: ParallelState,
  frame: FrameData,
  scope: Scope,
  cancel: Cancellation,
  runFrame: RunFrame,
): Promise<StateResult> {
  return withRecovery(run, state, frame, scope, cancel, async () => {
    const step = frame.step;
    if (!step) throw new Error(`state "${state.name}" was not entered`);
    if (!step.children) {
      const input = state.arguments
        ? await state.arguments(evalScope(run, frame, state, scope))
        : (frame.input as unknown);
      ensureWithinLimit(input, "Arguments", state.name);
      step.itemInputs = [input];
      step.children = state.branches.map(() => ({ status: "pending" }));
    }
    if (!step.started) {
      frame.lastEventId = run.history.add("ParallelStateStarted", frame.lastEventId);
      step.started = true;
      run.touch();
    }
    const startedAt = frame.lastEventId;
    try {
      const outputs = await runChildren(
        run,
        scope,
        cancel,
        step.children,
        0,
        {
          graph: (index) => state.branches[index] ?? { startAt: "", states: new Map() },
          input: () => step.itemInputs?.[0],
          started: () => startedAt,
        },
        runFrame,
      );
      frame.lastEventId = run.history.add("ParallelStateSucceeded", frame.lastEventId);
      return outputs;
    } catch (error) {
      if (error instanceof Error && error.name === "StateFailure") {
        frame.lastEventId = run.history.add("ParallelStateFailed", frame.lastEventId);
      }
      throw error;
    }
  });
}
