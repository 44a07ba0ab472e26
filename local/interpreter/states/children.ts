import type { ChildData, FrameData } from "../checkpoint.js";
import { StateFailure } from "../errors.js";
import type { StateGraph } from "../model.js";
import { Cancellation, Cancelled, type Run } from "../run.js";
import type { Scope } from "../scope.js";

/**
 * Runs a Parallel state's branches or a Map state's iterations: each child is a frame with its
 * own variable scope (reading the enclosing one), at most `concurrency` at a time. The first
 * failure stops the others (they are aborted) and becomes the state's failure. Children that
 * finished before a restart keep their results; unfinished ones resume where they were.
 */

export type FrameOutcome = { ok: true; output: unknown } | { ok: false; error: string; cause: string };

export type RunFrame = (
  run: Run,
  graph: StateGraph,
  frame: FrameData,
  scope: Scope,
  cancel: Cancellation,
) => Promise<FrameOutcome>;

export interface ChildHooks {
  graph(index: number): StateGraph;
  /** Input of a child that has not started yet. */
  input(index: number): unknown;
  /** Called when a child starts; returns the event id its first state follows. */
  started(index: number): number;
  succeeded?(index: number): void;
  failed?(index: number): void;
  aborted?(index: number): void;
}

export async function runChildren(
  run: Run,
  parentScope: Scope,
  cancel: Cancellation,
  children: ChildData[],
  concurrency: number,
  hooks: ChildHooks,
  runFrame: RunFrame,
): Promise<unknown[]> {
  const group = new Cancellation(cancel);
  let failure: StateFailure | undefined;
  const limit = concurrency > 0 ? concurrency : Number.POSITIVE_INFINITY;

  const runOne = async (index: number): Promise<void> => {
    const child = children[index];
    if (!child || child.status === "done" || child.status === "failed") return;
    let frame: FrameData;
    if (child.status === "running") frame = child.frame;
    else {
      frame = { state: hooks.graph(index).startAt, input: hooks.input(index), vars: {}, lastEventId: 0 };
      frame.lastEventId = hooks.started(index);
      children[index] = { status: "running", frame };
      run.touch();
    }
    try {
      const outcome = await runFrame(run, hooks.graph(index), frame, { vars: frame.vars, parent: parentScope }, group);
      if (outcome.ok) {
        children[index] = { status: "done", output: outcome.output };
        hooks.succeeded?.(index);
      } else {
        children[index] = { status: "failed", error: outcome.error, cause: outcome.cause };
        hooks.failed?.(index);
        failure ??= new StateFailure(outcome.error, outcome.cause);
        group.cancel({ kind: "sibling" });
      }
      run.touch();
    } catch (error) {
      if (!(error instanceof Cancelled)) throw error;
      if (error.reason.kind === "sibling") hooks.aborted?.(index);
    }
  };

  const queue = children.map((_, index) => index);
  const workers = Array.from({ length: Math.min(limit, queue.length) }, async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      if (group.reason) return;
      await runOne(next);
    }
  });
  const { activity } = run.services;
  activity.leave();
  try {
    await Promise.all(workers);
  } finally {
    activity.enter();
    group.dispose();
  }
  cancel.throwIfCancelled();
  if (failure) throw failure;
  return children.map((child) => (child.status === "done" ? child.output : null));
}
