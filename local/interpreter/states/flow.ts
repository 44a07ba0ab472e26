import type { FrameData } from "../checkpoint.js";
import { STATES_ERRORS, StateFailure } from "../errors.js";
import type { ChoiceState, FailState, PassState, SucceedState, WaitState } from "../model.js";
import { type Cancellation, type Run, sleepUntil } from "../run.js";
import { evalScope, integerField, outputAndAssign, type Scope, type StateResult } from "../scope.js";
import { scaledWaitDeadline } from "../wait-scale.js";

/** The states that move data and control without calling anything: Pass, Choice, Wait, Succeed, Fail. */

export async function runPass(run: Run, state: PassState, frame: FrameData, scope: Scope): Promise<StateResult> {
  const binding = evalScope(run, frame, state, scope);
  const { output, assigned } = await outputAndAssign(binding, state.output, state.assign, frame.input);
  return { output, next: state.next, assigned };
}

/**
 * Choice: the first rule whose Condition is true wins; its Assign applies together with the
 * state-level one (the rule's wins on a shared name) and its Output, if any, replaces the
 * state's. No match and no Default is States.NoChoiceMatched.
 */
export async function runChoice(run: Run, state: ChoiceState, frame: FrameData, scope: Scope): Promise<StateResult> {
  const binding = evalScope(run, frame, state, scope);
  for (const [index, rule] of state.choices.entries()) {
    const verdict = await rule.condition(binding);
    if (typeof verdict !== "boolean") {
      throw new StateFailure(
        STATES_ERRORS.queryEvaluationError,
        `Choices[${index}].Condition of state "${state.name}" returned ${JSON.stringify(verdict)}, not a boolean`,
        `Choices[${index}].Condition`,
      );
    }
    if (!verdict) continue;
    const [base, chosen] = await Promise.all([
      outputAndAssign(binding, state.output, state.assign, frame.input),
      outputAndAssign(binding, rule.output, rule.assign, undefined),
    ]);
    return {
      output: rule.output ? chosen.output : base.output,
      next: rule.next,
      assigned: { ...base.assigned, ...chosen.assigned },
    };
  }
  if (state.default === undefined) {
    throw new StateFailure(STATES_ERRORS.noChoiceMatched, `No Choice rule of state "${state.name}" matched.`);
  }
  const { output, assigned } = await outputAndAssign(binding, state.output, state.assign, frame.input);
  return { output, next: state.default, assigned };
}

/** Wait: until Seconds after entry, or until Timestamp (scaled by `waitScale`). The deadline is checkpointed. */
export async function runWait(
  run: Run,
  state: WaitState,
  frame: FrameData,
  scope: Scope,
  cancel: Cancellation,
): Promise<StateResult> {
  const step = frame.step;
  if (!step) throw new Error(`state "${state.name}" was not entered`);
  const binding = evalScope(run, frame, state, scope);
  if (step.waitUntil === undefined) {
    const seconds = await integerField(state.seconds, binding, "Seconds", state.name, 0);
    let until: number;
    if (seconds !== undefined) until = step.enteredAt + seconds * 1000;
    else {
      const timestamp = state.timestamp ? await state.timestamp(binding) : undefined;
      const at = typeof timestamp === "string" ? Date.parse(timestamp) : Number.NaN;
      if (Number.isNaN(at)) {
        throw new StateFailure(
          STATES_ERRORS.queryEvaluationError,
          `Timestamp of state "${state.name}" must be an ISO 8601 time (got ${JSON.stringify(timestamp)})`,
          "Timestamp",
        );
      }
      until = at;
    }
    step.waitUntil = scaledWaitDeadline(step.enteredAt, until, run.services.waitScale);
    run.touch();
  }
  await sleepUntil(run, step.waitUntil, cancel);
  const { output, assigned } = await outputAndAssign(binding, state.output, state.assign, frame.input);
  return { output, next: state.next, assigned };
}

export async function runSucceed(run: Run, state: SucceedState, frame: FrameData, scope: Scope): Promise<StateResult> {
  const { output } = await outputAndAssign(evalScope(run, frame, state, scope), state.output, undefined, frame.input);
  return { output, assigned: {} };
}

/** Fail: ends the frame with Error and Cause (each a string, possibly computed). */
export async function runFail(run: Run, state: FailState, frame: FrameData, scope: Scope): Promise<never> {
  const binding = evalScope(run, frame, state, scope);
  const [error, cause] = await Promise.all([state.error?.(binding), state.cause?.(binding)]);
  for (const [field, value] of [
    ["Error", error],
    ["Cause", cause],
  ] as const) {
    if (value !== undefined && typeof value !== "string") {
      throw new StateFailure(
        STATES_ERRORS.queryEvaluationError,
        `${field} of state "${state.name}" must be a string`,
        field,
      );
    }
  }
  throw new StateFailure((error as string | undefined) ?? "", (cause as string | undefined) ?? "");
}
