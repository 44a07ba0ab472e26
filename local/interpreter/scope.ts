import type { FrameData } from "./checkpoint.js";
import { STATES_ERRORS, StateFailure } from "./errors.js";
import { jsonField } from "./history.js";
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

export function ensureWithinLimit(value: unknown, what: string, state: string): void {
  const bytes = Buffer.byteLength(JSON.stringify(value ?? null), "utf8");
  if (bytes > PAYLOAD_LIMIT_BYTES) {
    throw new StateFailure(
      STATES_ERRORS.dataLimitExceeded,
      `The ${what} of state "${state}" is ${bytes} bytes, over the ${PAYLOAD_LIMIT_BYTES}-byte payload quota.`,
    );
  }
}

export interface StateResult {
  output: unknown;
  /** Absent: the frame ends here (End, Succeed). */
  next?: string;
  assigned: Record<string, unknown>;
}

/**
 * Evaluate a state's (or a catcher's) Output and Assign against the same binding: both see the
 * variables as they were on entry, and neither sees the other's values.
 */
export async function outputAndAssign(
  scope: EvalScope,
  output: Template | undefined,
  assign: Template | undefined,
  fallback: unknown,
  state: string,
): Promise<{ output: unknown; assigned: Record<string, unknown> }> {
  const [value, assigned] = await Promise.all([
    output ? output(scope) : Promise.resolve(fallback),
    assign ? (assign(scope) as Promise<Record<string, unknown>>) : Promise.resolve({}),
  ]);
  ensureWithinLimit(value, "output", state);
  for (const [name, variable] of Object.entries(assigned)) ensureWithinLimit(variable, `variable $${name}`, state);
  return { output: value, assigned };
}

/** `stateExitedEventDetails`: the output and each assigned variable as JSON text. */
export function exitedDetails(name: string, result: StateResult): Record<string, unknown> {
  const assignedVariables = Object.fromEntries(
    Object.entries(result.assigned).map(([key, value]) => [key, JSON.stringify(value)]),
  );
  return {
    name,
    ...jsonField("output", result.output),
    ...(Object.keys(assignedVariables).length > 0
      ? { assignedVariables, assignedVariablesDetails: { truncated: false } }
      : {}),
  };
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
