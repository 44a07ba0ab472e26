import { createHash } from "node:crypto";
import { InvalidDefinition } from "./errors.js";
import type { FunctionEnvironment } from "./functions.js";
import { checkGraph } from "./graph.js";
import { isExpression, type Template } from "./jsonata.js";
import {
  assignBlock,
  catchers,
  checkFields,
  type FieldContext,
  isObject,
  type Json,
  numberOrExpression,
  Problems,
  retriers,
  taskResource,
  template,
} from "./load-fields.js";
import type { CompiledMachine, State, StateGraph } from "./model.js";

/**
 * Load an ASL definition for the interpreter: JSONata states only, every field checked and every
 * expression compiled up front. Whatever the interpreter cannot run exactly as Step Functions
 * would fails here, with every problem named by state, rather than halfway through an incident.
 */

const COMMON = ["Type", "Comment", "QueryLanguage"];
const FLOW = ["Next", "End"];
const FIELDS: Record<State["type"], readonly string[]> = {
  Task: [
    ...COMMON,
    ...FLOW,
    "Resource",
    "Arguments",
    "Output",
    "Assign",
    "Retry",
    "Catch",
    "TimeoutSeconds",
    "HeartbeatSeconds",
  ],
  Pass: [...COMMON, ...FLOW, "Output", "Assign"],
  Wait: [...COMMON, ...FLOW, "Seconds", "Timestamp", "Output", "Assign"],
  Choice: [...COMMON, "Choices", "Default", "Output", "Assign"],
  Succeed: [...COMMON, "Output"],
  Fail: [...COMMON, "Error", "Cause"],
};
interface LoadContext extends FieldContext {
  queryLanguage: string;
}

const positiveInteger = (n: number) => Number.isInteger(n) && n >= 1 && n <= 99_999_999;

function flow(name: string, raw: Json, ctx: LoadContext): { next?: string; end: boolean } {
  const hasNext = typeof raw.Next === "string";
  const end = raw.End === true;
  if (raw.End !== undefined && raw.End !== true) ctx.problems.add(name, "End must be true when present");
  if (hasNext && end) ctx.problems.add(name, "has both Next and End");
  if (!hasNext && !end) ctx.problems.add(name, "needs Next or End");
  return { next: hasNext ? (raw.Next as string) : undefined, end };
}

function loadGraph(raw: unknown, where: string, ctx: LoadContext): StateGraph {
  const graph: StateGraph = { startAt: "", states: new Map() };
  if (!isObject(raw) || typeof raw.StartAt !== "string" || !isObject(raw.States)) {
    ctx.problems.add("", `${where} needs StartAt and States`);
    return graph;
  }
  graph.startAt = raw.StartAt;
  for (const [name, state] of Object.entries(raw.States)) {
    const loaded = loadState(name, state, ctx);
    if (loaded) graph.states.set(name, loaded);
  }
  checkGraph(graph, raw.States as Json, where, ctx.problems);
  return graph;
}

function loadTask(name: string, raw: Json, ctx: LoadContext): State | undefined {
  const resource = taskResource(name, raw.Resource, ctx);
  const caught = catchers(name, raw.Catch, ctx);
  const assign = assignBlock(name, "Assign", raw.Assign, ctx, { result: true });
  if (resource?.waitForTaskToken && !JSON.stringify(raw.Arguments ?? "").includes("$states.context.Task.Token")) {
    ctx.problems.add(name, "a .waitForTaskToken task must pass $states.context.Task.Token in its Arguments");
  }
  if (!resource) return undefined;
  return {
    type: "Task",
    name,
    comment: raw.Comment as string | undefined,
    ...flow(name, raw, ctx),
    resource,
    arguments: template(name, "Arguments", raw.Arguments, ctx),
    output: template(name, "Output", raw.Output, ctx, { result: true }),
    assign: assign.template,
    timeoutSeconds: numberOrExpression(name, "TimeoutSeconds", raw.TimeoutSeconds, ctx, positiveInteger, "1–99999999"),
    heartbeatSeconds: numberOrExpression(
      name,
      "HeartbeatSeconds",
      raw.HeartbeatSeconds,
      ctx,
      positiveInteger,
      "1–99999999",
    ),
    retry: retriers(name, raw.Retry, ctx),
    catch: caught.catchers,
  };
}

function loadChoice(name: string, raw: Json, ctx: LoadContext): State {
  const rules = Array.isArray(raw.Choices) ? raw.Choices : [];
  if (rules.length === 0) ctx.problems.add(name, "Choices must be a non-empty array");
  const assign = assignBlock(name, "Assign", raw.Assign, ctx);
  return {
    type: "Choice",
    name,
    comment: raw.Comment as string | undefined,
    end: false,
    default: typeof raw.Default === "string" ? raw.Default : undefined,
    output: template(name, "Output", raw.Output, ctx),
    assign: assign.template,
    choices: rules.map((rule, index) => {
      const field = `Choices[${index}]`;
      const body = isObject(rule) ? rule : {};
      checkFields(name, body, ["Condition", "Next", "Output", "Assign", "Comment"], ctx);
      if (typeof body.Next !== "string") ctx.problems.add(name, `${field}.Next must name a state`);
      if (typeof body.Condition !== "string" && typeof body.Condition !== "boolean") {
        ctx.problems.add(
          name,
          `${field}.Condition must be a JSONata expression (JSONPath comparisons are not supported)`,
        );
      }
      const ruleAssign = assignBlock(name, `${field}.Assign`, body.Assign, ctx);
      return {
        condition: template(name, `${field}.Condition`, body.Condition, ctx) ?? (async () => false),
        next: String(body.Next),
        output: template(name, `${field}.Output`, body.Output, ctx),
        assign: ruleAssign.template,
      };
    }),
  };
}

function loadSimple(name: string, type: "Pass" | "Wait" | "Succeed" | "Fail", raw: Json, ctx: LoadContext): State {
  const base = { name, comment: raw.Comment as string | undefined };
  if (type === "Succeed") return { ...base, type, end: true, output: template(name, "Output", raw.Output, ctx) };
  if (type === "Fail") {
    return {
      ...base,
      type,
      end: true,
      error: template(name, "Error", raw.Error, ctx),
      cause: template(name, "Cause", raw.Cause, ctx),
    };
  }
  const assign = assignBlock(name, "Assign", raw.Assign, ctx);
  const common = { ...base, ...flow(name, raw, ctx), output: template(name, "Output", raw.Output, ctx) };
  if (type === "Pass") return { ...common, type, assign: assign.template };
  if ((raw.Seconds === undefined) === (raw.Timestamp === undefined)) {
    ctx.problems.add(name, "a Wait needs exactly one of Seconds and Timestamp");
  }
  return {
    ...common,
    type,
    assign: assign.template,
    seconds: numberOrExpression(
      name,
      "Seconds",
      raw.Seconds,
      ctx,
      (n) => Number.isInteger(n) && n >= 0 && n <= 99_999_999,
      "0–99999999",
    ),
    timestamp: timestampField(name, raw.Timestamp, ctx),
  };
}

function timestampField(name: string, value: unknown, ctx: LoadContext): Template | undefined {
  if (value !== undefined && !isExpression(value) && (typeof value !== "string" || Number.isNaN(Date.parse(value)))) {
    ctx.problems.add(name, "Timestamp must be an ISO 8601 time or a JSONata expression");
    return undefined;
  }
  return template(name, "Timestamp", value, ctx);
}

function loadState(name: string, raw: unknown, ctx: LoadContext): State | undefined {
  if (!isObject(raw)) {
    ctx.problems.add(name, "must be an object");
    return undefined;
  }
  const language = raw.QueryLanguage ?? ctx.queryLanguage;
  if (language !== "JSONata") {
    ctx.problems.add(name, `QueryLanguage ${String(language)} is not supported by the local interpreter (use JSONata)`);
    return undefined;
  }
  const type = raw.Type as State["type"];
  if (raw.Type === "Parallel" || raw.Type === "Map") {
    ctx.problems.add(name, `${raw.Type} states are not run by the local interpreter (Riposte's workflows have none)`);
    return undefined;
  }
  const allowed = FIELDS[type];
  if (!allowed) {
    ctx.problems.add(name, `unknown state Type ${String(raw.Type)}`);
    return undefined;
  }
  checkFields(name, raw, allowed, ctx);
  switch (type) {
    case "Task":
      return loadTask(name, raw, ctx);
    case "Choice":
      return loadChoice(name, raw, ctx);
    default:
      return loadSimple(name, type, raw, ctx);
  }
}

/** Compile a definition (object or JSON text); throws `InvalidDefinition` listing every problem. */
export function loadDefinition(definition: unknown, env: FunctionEnvironment): CompiledMachine {
  const raw = typeof definition === "string" ? (JSON.parse(definition) as unknown) : definition;
  const problems = new Problems();
  if (!isObject(raw)) throw new InvalidDefinition(["the definition must be a JSON object"]);
  checkFields("", raw, ["Comment", "StartAt", "States", "QueryLanguage", "TimeoutSeconds", "Version"], {
    problems,
    env,
  });
  const timeout = raw.TimeoutSeconds;
  if (timeout !== undefined && !(typeof timeout === "number" && positiveInteger(timeout))) {
    problems.add("", "TimeoutSeconds must be an integer from 1 to 99999999");
  }
  const graph = loadGraph(raw, "the state machine", {
    problems,
    env,
    queryLanguage: String(raw.QueryLanguage ?? "JSONPath"),
  });
  if (problems.list.length > 0) throw new InvalidDefinition(problems.list);
  return {
    ...graph,
    comment: typeof raw.Comment === "string" ? raw.Comment : undefined,
    timeoutSeconds: typeof timeout === "number" ? timeout : undefined,
    definition: raw,
    hash: createHash("sha256").update(JSON.stringify(raw)).digest("hex"),
  };
}
