import jsonata from "jsonata";
import { STATES_ERRORS, StateFailure } from "./errors.js";
import { type FunctionEnvironment, registerStepFunctionsFunctions } from "./functions.js";

/**
 * JSONata in ASL fields: a string that starts with `{%` and ends with `%}` is an expression; any
 * other value is a template whose nested strings may be expressions (Arguments, Output, Assign,
 * ItemSelector…). Templates are compiled once, when the definition is loaded, so syntax errors
 * fail the load and evaluation pays no parsing.
 */

export interface StatesBinding {
  input: unknown;
  result?: unknown;
  errorOutput?: unknown;
  context: unknown;
}

export interface EvalScope {
  states: StatesBinding;
  /** Every variable visible here, outer scopes first (inner ones shadow nothing: names are unique). */
  variables: Record<string, unknown>;
}

/** Evaluates a compiled field; failures are `States.QueryEvaluationError` naming state and field. */
export type Template = (scope: EvalScope) => Promise<unknown>;

/** Where a template sits, for messages and for the `$states` members it may use. */
export interface TemplateSite {
  state: string;
  field: string;
  /** `$states.result` is readable (Output/Assign of Task, Parallel and Map). */
  result?: boolean;
  /** `$states.errorOutput` is readable (a Catch's Output/Assign). */
  errorOutput?: boolean;
}

const EXPRESSION = /^\{%([\s\S]*)%\}$/;
// Guardrails like the service's: a runaway expression fails its state instead of hanging the server.
const EVALUATION_TIMEOUT_MS = 1000;
const EVALUATION_MAX_DEPTH = 2000;
const GUARD = "__riposte_guard";

interface Guard {
  started: number;
  depth: number;
}

type JsonataEnvironment = { lookup(name: string): unknown; isParallelCall?: boolean };

function checkGuard(guard: Guard): void {
  if (guard.depth > EVALUATION_MAX_DEPTH) {
    throw new Error("stack overflow: check for a non-terminating recursive function");
  }
  if (Date.now() - guard.started > EVALUATION_TIMEOUT_MS) {
    throw new Error(`evaluation took longer than ${EVALUATION_TIMEOUT_MS} ms: check for an infinite loop`);
  }
}

/**
 * JSONata 2.0.6 has no timeout or depth option (2.1 added them); it calls these hooks on entering
 * and leaving every sub-expression. Each evaluation binds its own guard, found through the
 * environment, so evaluations of one compiled expression never share a budget.
 */
function installGuard(expression: jsonata.Expression): void {
  const guardOf = (environment: JsonataEnvironment) =>
    environment.isParallelCall ? undefined : (environment.lookup(GUARD) as Guard | undefined);
  expression.assign(
    Symbol.for("jsonata.__evaluate_entry") as unknown as string,
    (_expr: unknown, _input: unknown, environment: JsonataEnvironment) => {
      const guard = guardOf(environment);
      if (!guard) return;
      guard.depth++;
      checkGuard(guard);
    },
  );
  expression.assign(
    Symbol.for("jsonata.__evaluate_exit") as unknown as string,
    (_expr: unknown, _input: unknown, environment: JsonataEnvironment) => {
      const guard = guardOf(environment);
      if (!guard) return;
      guard.depth--;
      checkGuard(guard);
    },
  );
}

export function isExpression(value: unknown): value is string {
  return typeof value === "string" && EXPRESSION.test(value);
}

const isSequence = (value: unknown[]) => (value as { sequence?: unknown }).sequence === true;

/**
 * Turn a JSONata result into plain JSON: `undefined` and functions are evaluation errors, and
 * JSONata's sequences become plain arrays (a flagged array fed back into JSONata would be
 * flattened differently; between states Step Functions passes JSON text). Parts that already
 * are plain JSON are returned as they are, not copied: state data is never mutated in place.
 */
function toJson(value: unknown, describe: () => string): unknown {
  if (value === undefined) throw new Error(`${describe()} returned nothing (undefined)`);
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`${describe()} returned a number JSON cannot hold`);
    return value;
  }
  if (typeof value === "function" || (typeof value === "object" && "_jsonata_lambda" in (value as object))) {
    throw new Error(`${describe()} returned a function, which is not JSON`);
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined = isSequence(value) ? [] : undefined;
    for (let index = 0; index < value.length; index++) {
      const item = value[index];
      const json = toJson(item, describe);
      if (copy === undefined && json !== item) copy = value.slice(0, index);
      copy?.push(json);
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(record)) {
    const item = record[key];
    const json = item === undefined ? undefined : toJson(item, describe);
    if (copy === undefined && json !== item) {
      copy = {};
      for (const earlier of Object.keys(record)) {
        if (earlier === key) break;
        copy[earlier] = record[earlier];
      }
    }
    if (copy !== undefined && json !== undefined) copy[key] = json;
  }
  return copy ?? record;
}

function jsonataMessage(error: unknown): string {
  if (error && typeof error === "object" && "message" in error) return String((error as { message: unknown }).message);
  return String(error);
}

// A `$` reference outside string and regex literals: `$$`, `$name…`, or a lone `$` (the context).
const REFERENCE = /\/(?:\\.|[^\\/])*\/[a-zA-Z]*|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|(\$\$|\$[A-Za-z0-9_$]*)/g;

/**
 * Step Functions evaluates an expression with no context value: state data is reached through
 * `$states` and variables only, and an expression that refers to the context (`$`, as in `$.x`)
 * or the root (`$$`) is refused when the state machine is created. Literals are skipped, so a `$`
 * inside a string or regex is fine.
 */
function contextReferences(source: string): string[] {
  const found = new Set<string>();
  for (const match of source.matchAll(REFERENCE)) {
    const reference = match[1];
    if (reference === "$" || reference === "$$") found.add(reference);
  }
  return [...found];
}

/** Problems a definition loader reports for one expression (unavailable `$states` members, `$eval`, `$`/`$$`). */
export function checkExpression(source: string, site: TemplateSite): string[] {
  const problems: string[] = [];
  const where = `state "${site.state}", field ${site.field}`;
  for (const reference of contextReferences(source)) {
    problems.push(
      `${where}: refers to ${reference}, which Step Functions does not provide in JSONata; use $states.input or a variable`,
    );
  }
  if (!site.result && /\$states\.result\b/.test(source)) {
    problems.push(`${where}: $states.result is only available in the Output and Assign of a Task, Parallel or Map`);
  }
  if (!site.errorOutput && /\$states\.errorOutput\b/.test(source)) {
    problems.push(`${where}: $states.errorOutput is only available in a Catch's Output and Assign`);
  }
  if (/\$eval\s*\(/.test(source)) problems.push(`${where}: $eval is not available in Step Functions`);
  return problems;
}

function compileExpression(text: string, site: TemplateSite, env: FunctionEnvironment): Template {
  const source = (EXPRESSION.exec(text)?.[1] ?? "").trim();
  const expression = jsonata(source);
  installGuard(expression);
  registerStepFunctionsFunctions(expression, env);
  const describe = () => `the JSONata expression '${source}' in field ${site.field} of state "${site.state}"`;
  return async (scope) => {
    let value: unknown;
    try {
      const guard: Guard = { started: Date.now(), depth: 0 };
      value = await expression.evaluate(undefined, { ...scope.variables, states: scope.states, [GUARD]: guard });
      return toJson(value, describe);
    } catch (error) {
      throw new StateFailure(
        STATES_ERRORS.queryEvaluationError,
        `${describe()} failed: ${jsonataMessage(error)}`,
        site.field,
      );
    }
  };
}

/**
 * Compile a field's value. Throws the JSONata syntax error (with its position) for the loader to
 * report against the state.
 */
export function compileTemplate(value: unknown, site: TemplateSite, env: FunctionEnvironment): Template {
  if (isExpression(value)) return compileExpression(value, site, env);
  if (Array.isArray(value)) {
    const items = value.map((item, index) => compileTemplate(item, { ...site, field: `${site.field}[${index}]` }, env));
    return async (scope) => Promise.all(items.map((item) => item(scope)));
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(
      ([key, item]) => [key, compileTemplate(item, { ...site, field: `${site.field}.${key}` }, env)] as const,
    );
    return async (scope) => {
      const out: Record<string, unknown> = {};
      for (const [key, template] of entries) out[key] = await template(scope);
      return out;
    };
  }
  return async () => value;
}

/** Every JSONata expression string inside a value, with the field path it sits at. */
export function collectExpressions(value: unknown, field: string): { field: string; source: string }[] {
  if (isExpression(value)) return [{ field, source: value }];
  if (Array.isArray(value)) return value.flatMap((item, index) => collectExpressions(item, `${field}[${index}]`));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([key, item]) => collectExpressions(item, `${field}.${key}`));
  }
  return [];
}
