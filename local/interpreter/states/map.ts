import type { FrameData } from "../checkpoint.js";
import { STATES_ERRORS, StateFailure } from "../errors.js";
import type { MapState } from "../model.js";
import type { Cancellation, Run } from "../run.js";
import { ensureWithinLimit, evalScope, integerField, type Scope, type StateResult } from "../scope.js";
import { type RunFrame, runChildren } from "./children.js";
import { withRecovery } from "./recovery.js";

/**
 * The inline Map state: Items (an array, or an object iterated by key; the state input when
 * absent) → ItemSelector per item (with `$states.context.Map.Item`) → one iteration per item, at
 * most MaxConcurrency at a time (0: no limit). The result is the iterations' outputs in order.
 */

function itemsOf(value: unknown, state: string): { Value: unknown; Key?: string }[] {
  if (Array.isArray(value)) return value.map((item) => ({ Value: item }));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).map(([key, item]) => ({ Value: item, Key: key }));
  }
  throw new StateFailure(
    STATES_ERRORS.queryEvaluationError,
    `Items of Map state "${state}" must be an array or an object (got ${value === null ? "null" : typeof value})`,
    "Items",
  );
}

async function prepare(run: Run, state: MapState, frame: FrameData, scope: Scope): Promise<void> {
  const step = frame.step;
  if (!step) throw new Error(`state "${state.name}" was not entered`);
  const binding = evalScope(run, frame, state, scope);
  const items = itemsOf(state.items ? await state.items(binding) : frame.input, state.name);
  const inputs: unknown[] = [];
  for (const [index, item] of items.entries()) {
    const input = state.itemSelector
      ? await state.itemSelector(evalScope(run, frame, state, scope, {}, { mapItem: { Index: index, ...item } }))
      : item.Value;
    ensureWithinLimit(input, `iteration ${index} input`, state.name);
    inputs.push(input);
  }
  step.concurrency = (await integerField(state.maxConcurrency, binding, "MaxConcurrency", state.name, 0)) ?? 0;
  step.itemInputs = inputs;
  step.children = inputs.map(() => ({ status: "pending" }));
}

export function runMap(
  run: Run,
  state: MapState,
  frame: FrameData,
  scope: Scope,
  cancel: Cancellation,
  runFrame: RunFrame,
): Promise<StateResult> {
  return withRecovery(run, state, frame, scope, cancel, async () => {
    if (!frame.step?.children) await prepare(run, state, frame, scope);
    const step = frame.step;
    if (!step?.children) throw new Error(`state "${state.name}" has no iterations`);
    if (!step.started) {
      frame.lastEventId = run.history.add("MapStateStarted", frame.lastEventId, { length: step.children.length });
      step.started = true;
      run.touch();
    }
    const iteration = (type: string) => (index: number) => {
      frame.lastEventId = run.history.add(type, frame.lastEventId, { name: state.name, index });
      return frame.lastEventId;
    };
    try {
      const outputs = await runChildren(
        run,
        scope,
        cancel,
        step.children,
        step.concurrency ?? 0,
        {
          graph: () => state.processor,
          input: (index) => step.itemInputs?.[index],
          started: iteration("MapIterationStarted"),
          succeeded: iteration("MapIterationSucceeded"),
          failed: iteration("MapIterationFailed"),
          aborted: iteration("MapIterationAborted"),
        },
        runFrame,
      );
      frame.lastEventId = run.history.add("MapStateSucceeded", frame.lastEventId);
      return outputs;
    } catch (error) {
      if (error instanceof StateFailure) frame.lastEventId = run.history.add("MapStateFailed", frame.lastEventId);
      throw error;
    }
  });
}
