import { CATEGORIES, type Category } from "../core/model/catalog.js";
import { TASK_NAMES, type TaskName } from "../core/model/tasks.js";
import {
  type AslStateMachine,
  FUNCTION_PLACEHOLDERS,
  placeholdersIn,
  stateMachineName,
  substitutePlaceholders,
  workflowDefinition,
} from "../workflows/index.js";
import { stageName } from "./names.js";

/**
 * The state machine definitions a deployment creates: each category's ASL from `workflows/` with
 * the deployed function ARNs in place of its `${…Function}` placeholders. Nothing else changes:
 * the JSON deployed is the JSON the local interpreter runs.
 */

/** The placeholder values: task name → deployed function ARN. */
export type TaskFunctionArns = Readonly<Record<TaskName, string>>;

const LAMBDA_ARN = /^arn:aws[\w-]*:lambda:[a-z0-9-]+:\d{12}:function:[\w-]{1,64}$/;

/** The category's definition with the ARNs substituted; refuses an ARN that is not a function's. */
export function deployedDefinition(category: Category, arns: TaskFunctionArns): AslStateMachine {
  for (const task of TASK_NAMES) {
    const arn = arns[task];
    if (!LAMBDA_ARN.test(arn)) throw new Error(`the ${task} function ARN "${arn}" is not a Lambda function ARN`);
  }
  const definition = plannedDefinition(category, arns);
  const left = placeholdersIn(definition);
  if (left.length > 0) throw new Error(`the ${category} workflow still has placeholders: ${left.join(", ")}`);
  return definition;
}

/**
 * The same substitution, with ARNs that may still hold deploy-time placeholders (`${AccountId}`):
 * what `riposte deploy plan` shows before the functions exist.
 */
export function plannedDefinition(category: Category, arns: TaskFunctionArns): AslStateMachine {
  const values = Object.fromEntries(TASK_NAMES.map((task) => [FUNCTION_PLACEHOLDERS[task], arns[task]]));
  return substitutePlaceholders(workflowDefinition(category), values);
}

/** Every Lambda function a definition invokes (its Task states' `Arguments.FunctionName`), sorted. */
export function invokedFunctions(definition: AslStateMachine): string[] {
  const found = new Set<string>();
  const visit = (states: Record<string, Record<string, unknown>>) => {
    for (const state of Object.values(states)) {
      const args = state.Arguments as { FunctionName?: unknown } | undefined;
      if (state.Type === "Task" && typeof args?.FunctionName === "string") found.add(args.FunctionName);
      // Parallel branches and Map processors hold states of their own.
      for (const branch of (state.Branches as AslStateMachine[] | undefined) ?? []) visit(branch.States);
      const processor = (state.ItemProcessor ?? state.Iterator) as AslStateMachine | undefined;
      if (processor) visit(processor.States);
    }
  };
  visit(definition.States as Record<string, Record<string, unknown>>);
  return [...found].sort();
}

/** The deployed state machine's name (80 characters at most): stage, then the workflow's name. */
export function deployedStateMachineName(stage: string, category: Category): string {
  return stageName(stage, stateMachineName(category), 80);
}

/**
 * Every category's state machine ARN, from names alone: the task functions' policies need them
 * (approval callbacks), while the state machines need the functions' ARNs, so these cannot come
 * from the state machine resources without a dependency cycle.
 */
export function stateMachineArns(where: {
  partition: string;
  region: string;
  account: string;
  stage: string;
}): string[] {
  return CATEGORIES.map(
    (category) =>
      `arn:${where.partition}:states:${where.region}:${where.account}:stateMachine:${deployedStateMachineName(where.stage, category)}`,
  );
}
