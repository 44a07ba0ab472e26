import type { FrameData } from "../checkpoint.js";
import { STATES_ERRORS, StateFailure } from "../errors.js";
import type { TaskState } from "../model.js";
import { findCatcher, findRetrier, retryDelayMs } from "../retriers.js";
import { type Cancellation, Cancelled, type Run, sleepUntil } from "../run.js";
import { evalScope, exitState, outputAndAssign, type Scope, type StateResult } from "../scope.js";

/**
 * Retry and Catch around one attempt of a Task: a failure is retried by the
 * first retrier that names it (while it has attempts left, after its backoff), else handed to
 * the first catcher that names it, else it fails the frame. Retry counters and the retry's due
 * time live in the checkpoint, so a restart neither resets nor skips a backoff.
 */

export type RecoverableState = TaskState;

/** Anything thrown inside a state, as a StateFailure (an unexpected exception is States.Runtime). */
export function asFailure(error: unknown): StateFailure {
  if (error instanceof StateFailure) return error;
  return new StateFailure(STATES_ERRORS.runtime, error instanceof Error ? error.message : String(error));
}

/** Write an `EvaluationFailed` event once for a JSONata failure. */
export function reportEvaluationFailure(run: Run, frame: FrameData, state: string, failure: StateFailure): void {
  if (failure.error !== STATES_ERRORS.queryEvaluationError || failure.reported) return;
  failure.reported = true;
  frame.lastEventId = run.history.add("EvaluationFailed", frame.lastEventId, {
    error: failure.error,
    cause: failure.cause,
    location: failure.location ?? "",
    state,
  });
}

async function caught(
  run: Run,
  state: RecoverableState,
  frame: FrameData,
  scope: Scope,
  failure: StateFailure,
): Promise<StateResult | undefined> {
  const catcher = findCatcher(state.catch, failure.error);
  if (!catcher) return undefined;
  const errorOutput = { Error: failure.error, Cause: failure.cause };
  const binding = evalScope(run, frame, state, scope, { errorOutput });
  const { output, assigned } = await outputAndAssign(binding, catcher.output, catcher.assign, errorOutput);
  const result: StateResult = { output, next: catcher.next, assigned };
  return { ...result, exit: exitState(state.name, result) };
}

/**
 * Run `attempt` (which returns the raw result: the task's, or the branches'/iterations' outputs)
 * then the state's Output and Assign, with the state's Retry and Catch around both.
 */
export async function withRecovery(
  run: Run,
  state: RecoverableState,
  frame: FrameData,
  scope: Scope,
  cancel: Cancellation,
  attempt: () => Promise<unknown>,
): Promise<StateResult> {
  const step = frame.step;
  if (!step) throw new StateFailure(STATES_ERRORS.runtime, `state "${state.name}" was not entered`);
  for (;;) {
    if (step.retryAt !== undefined) {
      await sleepUntil(run, step.retryAt, cancel);
      step.retryAt = undefined;
    }
    try {
      const result = await attempt();
      const binding = evalScope(run, frame, state, scope, { result });
      const { output, assigned } = await outputAndAssign(binding, state.output, state.assign, result);
      const done: StateResult = { output, next: state.next, assigned };
      // Inside the try: an output over the quota is States.DataLimitExceeded, which Catch may name.
      return { ...done, exit: exitState(state.name, done) };
    } catch (error) {
      if (error instanceof Cancelled) throw error;
      const failure = asFailure(error);
      reportEvaluationFailure(run, frame, state.name, failure);
      const index = findRetrier(state.retry, failure.error);
      const retrier = index === undefined ? undefined : state.retry[index];
      if (index !== undefined && retrier && (step.attempts[index] ?? 0) < retrier.maxAttempts) {
        const made = step.attempts[index] ?? 0;
        step.attempts[index] = made + 1;
        step.retryCount++;
        step.retryAt = run.services.clock.now() + retryDelayMs(retrier, made, run.services.random);
        step.task = undefined;
        run.touch();
        continue;
      }
      const result = await caught(run, state, frame, scope, failure);
      if (result) return result;
      throw failure;
    }
  }
}
