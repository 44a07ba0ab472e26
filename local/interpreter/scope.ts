import type { FrameData } from "./checkpoint.js";
import { STATES_ERRORS, StateFailure } from "./errors.js";
import type { EvalScope, StatesBinding, Template } from "./jsonata.js";
import type { State } from "./model.js";
import type { Run } from "./run.js";

/**
 * Variables, the context object and the evaluation helpers every state type uses. A scope is
 * the frame's own variables plus its enclosing frames'; assignments apply when the state ends,
 * so every expression in a state reads the values as they were when it was entered.
 */

export interface Scope {
  vars: Record<string, unknown>;
  parent?: Scope;
}

/** All variables visible from `scope` (names are unique across nested scopes, by validation). */
export function visibleVariables(scope: Scope): Record<string, unknown> {
  return scope.parent ? { ...visibleVariables(scope.parent), ...scope.vars } : scope.vars;
}

export interface ContextExtras {
  token?: string;
  mapItem?: { Index: number; Value: unknown; Key?: string };
}

/** `$states.context`: the execution, the state (entered time, retry count), the machine. */
export function contextObject(run: Run, frame: FrameData, state: State, extras: ContextExtras = {}): unknown {
  const { execution } = run;
  return {
    Execution: {
      Id: execution.arn,
      Input: execution.input,
      Name: execution.name,
      RoleArn: execution.roleArn,
      StartTime: execution.startTime,
      RedriveCount: 0,
    },
    State: {
      EnteredTime: new Date(frame.step?.enteredAt ?? run.services.clock.now()).toISOString(),
      Name: state.name,
      RetryCount: frame.step?.retryCount ?? 0,
    },
    StateMachine: { Id: execution.stateMachineArn, Name: execution.stateMachineName },
    ...(extras.token ? { Task: { Token: extras.token } } : {}),
    ...(extras.mapItem ? { Map: { Item: extras.mapItem } } : {}),
  };
}

export function evalScope(
  run: Run,
  frame: FrameData,
  state: State,
  scope: Scope,
  binding: Omit<StatesBinding, "input" | "context"> = {},
  extras: ContextExtras = {},
): EvalScope {
  return {
    states: { input: frame.input, context: contextObject(run, frame, state, extras), ...binding },
    variables: visibleVariables(scope),
  };
}

// Step Functions' payload quota: 256 KiB of UTF-8 JSON per state input, output, result and variable.
export const PAYLOAD_LIMIT_BYTES = 256 * 1024;

/** Refuse JSON text over the payload quota (a UTF-8 character is at most 3 bytes per UTF-16 unit). */
export function checkSize(text: string, what: string, state: string): void {
  if (text.length * 3 <= PAYLOAD_LIMIT_BYTES) return;
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > PAYLOAD_LIMIT_BYTES) {
    throw new StateFailure(
      STATES_ERRORS.dataLimitExceeded,
      `The ${what} of state "${state}" is ${bytes} bytes, over the ${PAYLOAD_LIMIT_BYTES}-byte payload quota.`,
    );
  }
}

/** A value's JSON text, checked against the payload quota (the text is reused for history). */
export function jsonText(value: unknown, what: string, state: string): string {
  const text = JSON.stringify(value ?? null);
  checkSize(text, what, state);
  return text;
}

export function ensureWithinLimit(value: unknown, what: string, state: string): void {
  jsonText(value, what, state);
}

export interface StateResult {
  output: unknown;
  /** Absent: the frame ends here (End, Succeed). */
  next?: string;
  assigned: Record<string, unknown>;
  /** The exit event's details, when made where a size failure is still the state's to catch. */
  exit?: { details: Record<string, unknown>; outputText: string };
}

/**
 * Evaluate a state's (or a catcher's) Output and Assign against the same binding: both see the
 * variables as they were on entry, and neither sees the other's values. Sizes are checked when
 * the state exits (`exitState`), where the JSON text is made once.
 */
export async function outputAndAssign(
  scope: EvalScope,
  output: Template | undefined,
  assign: Template | undefined,
  fallback: unknown,
): Promise<{ output: unknown; assigned: Record<string, unknown> }> {
  const [value, assigned] = await Promise.all([
    output ? output(scope) : Promise.resolve(fallback),
    assign ? (assign(scope) as Promise<Record<string, unknown>>) : Promise.resolve({}),
  ]);
  return { output: value, assigned };
}

/**
 * The `stateExitedEventDetails` of a state that ended with `result`: its output and each assigned
 * variable as JSON text, each within the payload quota. Returns the output's text too, which the
 * next state's "entered" event reuses.
 */
export function exitState(name: string, result: StateResult): { details: Record<string, unknown>; outputText: string } {
  const outputText = jsonText(result.output, "output", name);
  const assignedVariables: Record<string, string> = {};
  for (const [key, value] of Object.entries(result.assigned)) {
    assignedVariables[key] = jsonText(value, `variable $${key}`, name);
  }
  const details: Record<string, unknown> = { name, output: outputText, outputDetails: { truncated: false } };
  if (Object.keys(assignedVariables).length > 0) {
    details.assignedVariables = assignedVariables;
    details.assignedVariablesDetails = { truncated: false };
  }
  return { details, outputText };
}

/** A number-valued field (TimeoutSeconds, Seconds, MaxConcurrency…) evaluated and range-checked. */
export async function integerField(
  template: Template | undefined,
  scope: EvalScope,
  field: string,
  state: string,
  min: number,
): Promise<number | undefined> {
  if (!template) return undefined;
  const value = await template(scope);
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > 99_999_999) {
    throw new StateFailure(
      STATES_ERRORS.queryEvaluationError,
      `field ${field} of state "${state}" must be an integer from ${min} to 99999999 (got ${JSON.stringify(value)})`,
      field,
    );
  }
  return value;
}
