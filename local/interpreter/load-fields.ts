import type { FunctionEnvironment } from "./functions.js";
import { checkExpression, collectExpressions, compileTemplate, isExpression, type Template } from "./jsonata.js";
import type { Catcher, JitterStrategy, Retrier, TaskResource } from "./model.js";

/**
 * Field-level parsing for the definition loader: templates, Retry, Catch and Task resources.
 * Problems are collected (not thrown) so one load reports every one of them.
 */

export type Json = Record<string, unknown>;

export class Problems {
  readonly list: string[] = [];
  add(state: string, message: string): void {
    this.list.push(state ? `state "${state}": ${message}` : message);
  }
}

export interface FieldContext {
  problems: Problems;
  env: FunctionEnvironment;
}

const JSONPATH_FIELDS = ["InputPath", "OutputPath", "Parameters", "ResultPath", "ResultSelector", "Result"];

export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Refuse JSONPath-only constructs and fields the state type does not have. */
export function checkFields(state: string, raw: Json, allowed: readonly string[], ctx: FieldContext): void {
  for (const key of Object.keys(raw)) {
    if (allowed.includes(key)) continue;
    if (JSONPATH_FIELDS.includes(key) || key.endsWith("Path")) {
      ctx.problems.add(
        state,
        `${key} is JSONPath; the local interpreter runs JSONata states only (use Arguments/Output)`,
      );
    } else {
      ctx.problems.add(state, `field ${key} is not supported here`);
    }
  }
}

function findJsonPathKeys(value: unknown, field: string): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => findJsonPathKeys(item, `${field}[${index}]`));
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([key, item]) => [
    ...(key.endsWith(".$") ? [`${field}.${key}`] : []),
    ...findJsonPathKeys(item, `${field}.${key}`),
  ]);
}

export interface TemplateOptions {
  result?: boolean;
  errorOutput?: boolean;
}

/** Compile a template field, reporting syntax errors and misplaced `$states` members. */
export function template(
  state: string,
  field: string,
  value: unknown,
  ctx: FieldContext,
  options: TemplateOptions = {},
): Template | undefined {
  if (value === undefined) return undefined;
  const site = { state, field, ...options };
  for (const key of findJsonPathKeys(value, field)) {
    ctx.problems.add(state, `${key} uses the JSONPath ".$" convention; write "{% … %}" instead`);
  }
  for (const expression of collectExpressions(value, field)) {
    for (const problem of checkExpression(expression.source, { ...site, field: expression.field })) {
      ctx.problems.add("", problem);
    }
  }
  try {
    return compileTemplate(value, site, ctx.env);
  } catch (error) {
    ctx.problems.add(state, `${field} is not valid JSONata: ${(error as Error).message}`);
    return undefined;
  }
}

const VARIABLE_NAME = /^[\p{ID_Start}_][\p{ID_Continue}]*$/u;

/** An Assign block: an object whose keys are variable names. Returns the names it assigns. */
export function assignBlock(
  state: string,
  field: string,
  value: unknown,
  ctx: FieldContext,
  options: TemplateOptions = {},
): { template?: Template; names: string[] } {
  if (value === undefined) return { names: [] };
  if (!isObject(value)) {
    ctx.problems.add(state, `${field} must be an object of variable names`);
    return { names: [] };
  }
  const names = Object.keys(value);
  for (const name of names) {
    if (name === "states") ctx.problems.add(state, `${field}: "states" is reserved`);
    else if (!VARIABLE_NAME.test(name) || name.length > 80) {
      ctx.problems.add(state, `${field}: "${name}" is not a valid variable name`);
    }
  }
  return { template: template(state, field, value, ctx, options), names };
}

/** A number field that may also be a JSONata expression (checked again when evaluated). */
export function numberOrExpression(
  state: string,
  field: string,
  value: unknown,
  ctx: FieldContext,
  check: (n: number) => boolean,
  expectation: string,
): Template | undefined {
  if (value === undefined) return undefined;
  if (!isExpression(value) && (typeof value !== "number" || !check(value))) {
    ctx.problems.add(state, `${field} must be ${expectation} or a JSONata expression`);
    return undefined;
  }
  return template(state, field, value, ctx);
}

function errorEquals(state: string, field: string, value: unknown, ctx: FieldContext, last: boolean): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.some((item) => typeof item !== "string" || !item)) {
    ctx.problems.add(state, `${field}.ErrorEquals must be a non-empty array of error names`);
    return [];
  }
  if (value.includes("States.ALL") && (value.length > 1 || !last)) {
    ctx.problems.add(state, `${field}: States.ALL must appear alone, in the last entry`);
  }
  return value as string[];
}

function integerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

export function retriers(state: string, value: unknown, ctx: FieldContext): Retrier[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    ctx.problems.add(state, "Retry must be an array");
    return [];
  }
  return value.map((raw, index) => {
    const field = `Retry[${index}]`;
    const retrier = isObject(raw) ? raw : {};
    checkFields(
      state,
      retrier,
      ["ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Comment"],
      ctx,
    );
    const {
      IntervalSeconds = 1,
      MaxAttempts = 3,
      BackoffRate = 2,
      MaxDelaySeconds,
      JitterStrategy = "NONE",
    } = retrier as Record<string, unknown>;
    if (!integerIn(IntervalSeconds, 1, 99_999_999))
      ctx.problems.add(state, `${field}.IntervalSeconds must be 1–99999999`);
    if (!integerIn(MaxAttempts, 0, 99_999_999)) ctx.problems.add(state, `${field}.MaxAttempts must be 0–99999999`);
    if (typeof BackoffRate !== "number" || BackoffRate < 1)
      ctx.problems.add(state, `${field}.BackoffRate must be ≥ 1.0`);
    if (MaxDelaySeconds !== undefined && !integerIn(MaxDelaySeconds, 1, 31_622_400)) {
      ctx.problems.add(state, `${field}.MaxDelaySeconds must be 1–31622400`);
    }
    if (JitterStrategy !== "FULL" && JitterStrategy !== "NONE") {
      ctx.problems.add(state, `${field}.JitterStrategy must be FULL or NONE`);
    }
    return {
      errorEquals: errorEquals(state, field, retrier.ErrorEquals, ctx, index === value.length - 1),
      intervalSeconds: Number(IntervalSeconds),
      maxAttempts: Number(MaxAttempts),
      backoffRate: Number(BackoffRate),
      maxDelaySeconds: MaxDelaySeconds === undefined ? undefined : Number(MaxDelaySeconds),
      jitterStrategy: JitterStrategy as JitterStrategy,
    };
  });
}

export function catchers(state: string, value: unknown, ctx: FieldContext): { catchers: Catcher[]; names: string[] } {
  if (value === undefined) return { catchers: [], names: [] };
  if (!Array.isArray(value)) {
    ctx.problems.add(state, "Catch must be an array");
    return { catchers: [], names: [] };
  }
  const names: string[] = [];
  const list = value.map((raw, index) => {
    const field = `Catch[${index}]`;
    const catcher = isObject(raw) ? raw : {};
    checkFields(state, catcher, ["ErrorEquals", "Next", "Output", "Assign", "Comment"], ctx);
    if (typeof catcher.Next !== "string") ctx.problems.add(state, `${field}.Next must name a state`);
    const assign = assignBlock(state, `${field}.Assign`, catcher.Assign, ctx, { errorOutput: true });
    names.push(...assign.names);
    return {
      errorEquals: errorEquals(state, field, catcher.ErrorEquals, ctx, index === value.length - 1),
      next: String(catcher.Next),
      output: template(state, `${field}.Output`, catcher.Output, ctx, { errorOutput: true }),
      assign: assign.template,
    };
  });
  return { catchers: list, names };
}

const INTEGRATION = /^arn:aws[a-z-]*:states:::(lambda:invoke)(\.waitForTaskToken)?$/;

/** The Task resources the interpreter runs; anything else fails the load, naming the state. */
export function taskResource(state: string, value: unknown, ctx: FieldContext): TaskResource | undefined {
  if (typeof value !== "string") {
    ctx.problems.add(state, "Resource must be a string");
    return undefined;
  }
  const integration = INTEGRATION.exec(value);
  if (integration) {
    const [service, action] = (integration[1] ?? "").split(":") as [string, string];
    const waitForTaskToken = integration[2] !== undefined;
    return {
      kind: "lambda-invoke",
      waitForTaskToken,
      arn: value,
      resourceType: service,
      resource: waitForTaskToken ? `${action}.waitForTaskToken` : action,
    };
  }
  ctx.problems.add(
    state,
    `Resource "${value}" is not supported by the local interpreter (supported: arn:aws:states:::lambda:invoke, ` +
      "with or without .waitForTaskToken: what Riposte's workflows call)",
  );
  return undefined;
}
