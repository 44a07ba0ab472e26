/** The local Step Functions interpreter: runs the same ASL (JSONata) the AWS stacks deploy. */

export { type Clock, ManualClock, systemClock } from "./clock.js";
export {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InterpreterClosed,
  InvalidDefinition,
  InvalidExecutionInput,
  InvalidName,
  InvalidOutput,
  InvalidToken,
  StateMachineAlreadyExists,
  StateMachineDoesNotExist,
  TaskDoesNotExist,
  TaskTimedOut,
} from "./errors.js";
export {
  createSnsPublisher,
  type FunctionResolver,
  functionNameOf,
  type LocalFunction,
  type SnsPublisher,
  type SnsPublishParams,
} from "./integrations.js";
export {
  Interpreter,
  type InterpreterOptions,
  type StartExecutionRequest,
  type StartExecutionResult,
} from "./interpreter.js";
export { loadDefinition } from "./load.js";
