import type { CallbackOutcome, FrameData, TaskWait } from "../checkpoint.js";
import { STATES_ERRORS, StateFailure } from "../errors.js";
import { type Answer, invokeLambdaIntegration } from "../integrations.js";
import type { TaskState } from "../model.js";
import { type Cancellation, Cancelled, type Run } from "../run.js";
import { checkSize, evalScope, integerField, jsonText, type Scope, type StateResult } from "../scope.js";
import { withRecovery } from "./recovery.js";

/**
 * The Task state: evaluate Arguments, call the resource, and for `.waitForTaskToken` wait for
 * SendTaskSuccess/Failure. TimeoutSeconds bounds the whole task (the callback wait included);
 * HeartbeatSeconds bounds the gap between heartbeats. History follows the service: Scheduled,
 * Started, (Submitted), then Succeeded, Failed or TimedOut.
 */

function describe(state: TaskState): Record<string, unknown> {
  return { resourceType: state.resource.resourceType, resource: state.resource.resource };
}

function invoke(run: Run, args: unknown, argsText: string): Promise<Answer> {
  return invokeLambdaIntegration(run.services.functions, args, argsText, run.services.logger);
}

/**
 * Await `work` against the task's deadlines. A waiting callback task is not "busy"; a running
 * resource is. Heartbeats (callback tasks) push the heartbeat deadline out.
 */
function withDeadlines<T>(
  run: Run,
  wait: TaskWait,
  cancel: Cancellation,
  work: (onHeartbeat: () => void) => Promise<T>,
  idleWhileWaiting: boolean,
): Promise<T> {
  const { clock, activity } = run.services;
  if (idleWhileWaiting) activity.leave();
  return new Promise<T>((resolve, reject) => {
    const timers: (() => void)[] = [];
    let done = false;
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      for (const stop of timers) stop();
      stopListening();
      if (idleWhileWaiting) activity.enter();
      settle();
    };
    const timeout = (error: string, cause: string) => () => finish(() => reject(new StateFailure(error, cause)));
    if (wait.timeoutAt !== undefined) {
      timers.push(
        clock.setTimer(wait.timeoutAt, timeout(STATES_ERRORS.timeout, "The task timed out (TimeoutSeconds).")),
      );
    }
    let stopHeartbeat = () => {};
    const armHeartbeat = () => {
      stopHeartbeat();
      if (wait.heartbeatAt === undefined) return;
      stopHeartbeat = clock.setTimer(
        wait.heartbeatAt,
        timeout(STATES_ERRORS.heartbeatTimeout, "No heartbeat within HeartbeatSeconds."),
      );
    };
    armHeartbeat();
    timers.push(() => stopHeartbeat());
    // A running resource is let finish on halt (its work is not repeated); a callback wait stops at once.
    const stopListening = cancel.onCancel((reason) => {
      if (reason.kind === "halt" && !idleWhileWaiting) return;
      finish(() => reject(new Cancelled(reason)));
    });
    const onHeartbeat = () => {
      if (done || wait.heartbeatSeconds === undefined) return;
      wait.heartbeatAt = clock.now() + wait.heartbeatSeconds * 1000;
      armHeartbeat();
      run.touch();
    };
    work(onHeartbeat).then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}

function recordFailure(run: Run, frame: FrameData, state: TaskState, failure: StateFailure): void {
  const timedOut = failure.error === STATES_ERRORS.timeout || failure.error === STATES_ERRORS.heartbeatTimeout;
  frame.lastEventId = run.history.add(`Task${timedOut ? "TimedOut" : "Failed"}`, frame.lastEventId, {
    ...describe(state),
    error: failure.error,
    cause: failure.cause,
  });
}

function recordSuccess(run: Run, frame: FrameData, state: TaskState, outputText: string): void {
  frame.lastEventId = run.history.add("TaskSucceeded", frame.lastEventId, {
    ...describe(state),
    output: outputText,
    outputDetails: { truncated: false },
  });
}

/**
 * Wait for the callback of a submitted `.waitForTaskToken` task. The callback is written to the
 * checkpoint before the task goes on and only then reported taken, so a decision that was
 * delivered is never waited for again after a restart, and one that was not is still awaited.
 */
async function awaitCallback(
  run: Run,
  state: TaskState,
  frame: FrameData,
  wait: TaskWait,
  cancel: Cancellation,
): Promise<unknown> {
  const { tokens } = run.services;
  if (!wait.callback) tokens.register(wait.token);
  let outcome: CallbackOutcome;
  try {
    outcome = wait.callback ?? (await withDeadlines(run, wait, cancel, (beat) => tokens.wait(wait.token, beat), true));
  } catch (error) {
    if (error instanceof Cancelled) {
      // Halting keeps the task waiting in the checkpoint; anything else ends it.
      if (error.reason.kind === "halt") tokens.detach(wait.token);
      else tokens.release(wait.token, "closed");
      throw error;
    }
    const failure = error instanceof StateFailure ? error : new StateFailure(STATES_ERRORS.taskFailed, String(error));
    tokens.release(wait.token, failure.error.startsWith("States.") ? "timed-out" : "closed");
    recordFailure(run, frame, state, failure);
    throw failure;
  }
  if (!wait.callback) {
    wait.callback = outcome;
    if (await run.checkpointNow()) tokens.taken(wait.token);
  }
  tokens.release(wait.token, "closed");
  if ("error" in outcome) {
    const failure = new StateFailure(outcome.error, outcome.cause);
    recordFailure(run, frame, state, failure);
    throw failure;
  }
  recordSuccess(run, frame, state, jsonText(outcome.output, "callback output", state.name));
  return outcome.output;
}

async function attempt(run: Run, state: TaskState, frame: FrameData, scope: Scope, cancel: Cancellation) {
  const step = frame.step;
  if (step?.task?.submitted) return awaitCallback(run, state, frame, step.task, cancel);
  const { tokens, clock } = run.services;
  const token = state.resource.waitForTaskToken ? (step?.task?.token ?? tokens.issue()) : undefined;
  const binding = evalScope(run, frame, state, scope, {}, { token });
  const args = state.arguments ? await state.arguments(binding) : frame.input;
  const timeoutSeconds = await integerField(state.timeoutSeconds, binding, "TimeoutSeconds", state.name, 1);
  const heartbeatSeconds = await integerField(state.heartbeatSeconds, binding, "HeartbeatSeconds", state.name, 1);
  const argsText = jsonText(args, "Arguments", state.name);
  frame.lastEventId = run.history.add("TaskScheduled", frame.lastEventId, {
    ...describe(state),
    region: run.services.region,
    parameters: argsText,
    ...(timeoutSeconds ? { timeoutInSeconds: timeoutSeconds } : {}),
    ...(heartbeatSeconds ? { heartbeatInSeconds: heartbeatSeconds } : {}),
  });
  const now = clock.now();
  const wait: TaskWait = {
    token: token ?? "",
    submitted: false,
    timeoutAt: timeoutSeconds === undefined ? undefined : now + timeoutSeconds * 1000,
    heartbeatSeconds,
    heartbeatAt: heartbeatSeconds === undefined ? undefined : now + heartbeatSeconds * 1000,
    scheduledEventId: frame.lastEventId,
  };
  if (token && step) {
    // The token must be durable before anyone outside can hold it.
    step.task = wait;
    tokens.register(token);
    await run.flush();
  }
  frame.lastEventId = run.history.add("TaskStarted", frame.lastEventId, describe(state));
  let response: unknown;
  let responseText: string;
  try {
    const answer = await withDeadlines(run, wait, cancel, () => invoke(run, args, argsText), false);
    response = answer.value;
    responseText = answer.text;
    checkSize(responseText, "result", state.name);
  } catch (error) {
    if (error instanceof Cancelled) {
      if (token && error.reason.kind === "halt") tokens.detach(token);
      else if (token) tokens.release(token, "closed");
      throw error;
    }
    if (token) tokens.release(token, "closed");
    const failure = error instanceof StateFailure ? error : new StateFailure(STATES_ERRORS.taskFailed, String(error));
    recordFailure(run, frame, state, failure);
    throw failure;
  }
  if (!token || !step) {
    recordSuccess(run, frame, state, responseText);
    return response;
  }
  frame.lastEventId = run.history.add("TaskSubmitted", frame.lastEventId, {
    ...describe(state),
    output: responseText,
    outputDetails: { truncated: false },
  });
  wait.submitted = true;
  run.touch();
  return awaitCallback(run, state, frame, wait, cancel);
}

export function runTask(
  run: Run,
  state: TaskState,
  frame: FrameData,
  scope: Scope,
  cancel: Cancellation,
): Promise<StateResult> {
  return withRecovery(run, state, frame, scope, cancel, () => attempt(run, state, frame, scope, cancel));
}
