import { THROTTLING_ERROR_NAMES, TRANSIENT_ERROR_NAMES } from "../core/errors.js";
import type { TaskName } from "../core/model/tasks.js";
import { placeholder } from "./functions.js";

/**
 * Small builders for the ASL the workflows are made of (QueryLanguage JSONata). They only
 * produce plain JSON: the definition is the product, and it is what both runtimes run.
 */

export type AslState = Record<string, unknown>;

export interface AslStateMachine {
  Comment: string;
  QueryLanguage: "JSONata";
  StartAt: string;
  States: Record<string, AslState>;
}

/** A JSONata expression as ASL writes it. */
export const jsonata = (expression: string): string => `{% ${expression} %}`;

/**
 * Throttling: Lambda refusing invocations (function or account concurrency) and AWS throttling a
 * task's own calls after the SDK's retries (`Throttled`). Rates recover in minutes, not seconds.
 */
export const THROTTLING_ERRORS = ["Lambda.TooManyRequestsException", ...THROTTLING_ERROR_NAMES];

/**
 * Other errors worth retrying: the Lambda service's transient faults (the four AWS's "Handle Lambda
 * service exceptions" names) and our own TransientError.
 */
export const TRANSIENT_ERRORS = [
  "Lambda.ClientExecutionTimeoutException",
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  ...TRANSIENT_ERROR_NAMES,
];

/**
 * Waits of 5, 10, 20, 40, 80 s, then 120 s (the cap) for the remaining 7 retries: at most 995 s
 * (16.6 min) in all, about half that on average with full jitter, which also spreads the retries
 * of many executions throttled at once.
 */
export const throttlingRetry = {
  ErrorEquals: THROTTLING_ERRORS,
  IntervalSeconds: 5,
  MaxAttempts: 12,
  BackoffRate: 2,
  MaxDelaySeconds: 120,
  JitterStrategy: "FULL",
};

/** Waits of 2, 4, 8, 16 s at most (30 s in all): a fault that outlasts them is not passing. */
export const transientRetry = {
  ErrorEquals: TRANSIENT_ERRORS,
  IntervalSeconds: 2,
  MaxAttempts: 4,
  BackoffRate: 2,
  MaxDelaySeconds: 30,
  JitterStrategy: "FULL",
};

// Every task is idempotent (a repeated event is a no-op), so a timed-out invocation may run once more.
const timeoutRetry = { ErrorEquals: ["States.Timeout"], IntervalSeconds: 5, MaxAttempts: 1, BackoffRate: 2 };

/** The record of what failed, assigned by every task's catch-all on its way to "Record failure". */
export const FAILURE_ASSIGN = {
  failure: jsonata(
    "{ 'state': $states.context.State.Name, 'error': $states.errorOutput.Error, 'cause': $states.errorOutput.Cause }",
  ),
};

export interface TaskOptions {
  comment: string;
  /** The function's payload: a JSONata expression or an object template. */
  payload: unknown;
  timeoutSeconds: number | string;
  /** Variables to set from `$states.result`. */
  assign?: Record<string, string>;
  next: string;
  /** Catchers tried before the catch-all (specific errors first, as ASL requires). */
  catches?: AslState[];
  /** The catch-all's target; "Record failure" unless the state must not record (e.g. it opens). */
  failureTarget: string;
  /** `.waitForTaskToken`: the task ends when SendTaskSuccess/Failure arrives. */
  callback?: boolean;
  /** Whether a timed-out invocation is retried (not for a callback: its timeout is a decision). */
  retryTimeout?: boolean;
}

/** A Lambda task with the shared retry and catch policy. */
export function lambdaTask(task: TaskName, options: TaskOptions): AslState {
  return {
    Type: "Task",
    Comment: options.comment,
    Resource: `arn:aws:states:::lambda:invoke${options.callback ? ".waitForTaskToken" : ""}`,
    Arguments: { FunctionName: placeholder(task), Payload: options.payload },
    // The function's own answer (a callback's is what SendTaskSuccess carried), not Lambda's envelope.
    Output: jsonata(options.callback ? "$states.result" : "$states.result.Payload"),
    TimeoutSeconds: options.timeoutSeconds,
    ...(options.assign ? { Assign: options.assign } : {}),
    Retry:
      options.retryTimeout === false
        ? [throttlingRetry, transientRetry]
        : [throttlingRetry, transientRetry, timeoutRetry],
    Catch: [
      ...(options.catches ?? []),
      { ErrorEquals: ["States.ALL"], Next: options.failureTarget, Assign: FAILURE_ASSIGN },
    ],
    Next: options.next,
  };
}

/** A Pass state that settles how the incident ends (`$outcome`), then goes to record it. */
export function outcome(comment: string, status: string, reason: string, next: string, error?: string): AslState {
  return {
    Type: "Pass",
    Comment: comment,
    Assign: {
      outcome: {
        status,
        reason: jsonata(reason),
        ...(error ? { error: jsonata(error) } : {}),
      },
    },
    Next: next,
  };
}
