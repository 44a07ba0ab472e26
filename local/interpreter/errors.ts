/**
 * Errors of the local Step Functions interpreter. API errors carry the name AWS Step Functions
 * gives the same condition (`ExecutionAlreadyExists`, `TaskDoesNotExist`…), so callers handle
 * both runtimes alike. `StateFailure` is different: it is an error *inside* an execution (what
 * Retry and Catch match on), never thrown out of the interpreter's API.
 */

abstract class InterpreterError extends Error {
  abstract override readonly name: string;
}

/** The ASL cannot be run: the message names the state and the construct. */
export class InvalidDefinition extends InterpreterError {
  override readonly name = "InvalidDefinition";
  constructor(readonly problems: string[]) {
    super(`invalid state machine definition:\n  ${problems.join("\n  ")}`);
  }
}

export class StateMachineDoesNotExist extends InterpreterError {
  override readonly name = "StateMachineDoesNotExist";
}

export class StateMachineAlreadyExists extends InterpreterError {
  override readonly name = "StateMachineAlreadyExists";
}

export class ExecutionDoesNotExist extends InterpreterError {
  override readonly name = "ExecutionDoesNotExist";
}

/** A closed execution, or a running one with a different input, already has this name. */
export class ExecutionAlreadyExists extends InterpreterError {
  override readonly name = "ExecutionAlreadyExists";
}

export class InvalidName extends InterpreterError {
  override readonly name = "InvalidName";
}

export class InvalidExecutionInput extends InterpreterError {
  override readonly name = "InvalidExecutionInput";
}

/** The token is not one this interpreter issued. */
export class InvalidToken extends InterpreterError {
  override readonly name = "InvalidToken";
}

/** The token's task is no longer waiting (completed, failed, or its execution closed). */
export class TaskDoesNotExist extends InterpreterError {
  override readonly name = "TaskDoesNotExist";
}

/** The token's task timed out before the callback arrived. */
export class TaskTimedOut extends InterpreterError {
  override readonly name = "TaskTimedOut";
}

export class InvalidOutput extends InterpreterError {
  override readonly name = "InvalidOutput";
}

/** The interpreter is shutting down and takes no new work. */
export class InterpreterClosed extends InterpreterError {
  override readonly name = "InterpreterClosed";
}

/**
 * A failure inside an execution: `error` is the ASL error name (`States.Timeout`, a Lambda
 * function's `errorType`…) and `cause` its description. Retry and Catch match on `error`.
 */
export class StateFailure extends Error {
  override readonly name = "StateFailure";
  /** Set once an `EvaluationFailed` history event has been written for it. */
  reported = false;
  constructor(
    readonly error: string,
    override readonly cause: string,
    /** For JSONata failures: the field whose expression failed. */
    readonly location?: string,
  ) {
    super(`${error}: ${cause}`);
  }
}

/** The ASL error names the interpreter itself reports. */
export const STATES_ERRORS = {
  all: "States.ALL",
  timeout: "States.Timeout",
  heartbeatTimeout: "States.HeartbeatTimeout",
  taskFailed: "States.TaskFailed",
  runtime: "States.Runtime",
  dataLimitExceeded: "States.DataLimitExceeded",
  queryEvaluationError: "States.QueryEvaluationError",
  noChoiceMatched: "States.NoChoiceMatched",
  branchFailed: "States.BranchFailed",
} as const;
