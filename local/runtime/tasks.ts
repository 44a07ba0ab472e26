import { TASK_NAMES, type TaskName } from "../../core/model/tasks.js";
import type { TaskDeps } from "../../core/task-deps.js";
import { approvalTask } from "../../functions/approval.js";
import { confirmTask } from "../../functions/confirm.js";
import { enrichTask } from "../../functions/enrich.js";
import type { TaskFactoryOf } from "../../functions/lib/task.js";
import { notifyTask } from "../../functions/notify.js";
import { openTask } from "../../functions/open.js";
import { recordTask } from "../../functions/record.js";
import { remediateTask } from "../../functions/remediate.js";
import { scoreTask } from "../../functions/score.js";
import { verifyTask } from "../../functions/verify.js";
import { FUNCTION_PLACEHOLDERS, type FunctionPlaceholder } from "../../workflows/functions.js";
import type { FunctionResolver, LocalFunction } from "../interpreter/integrations.js";
import { functionNameOf } from "../interpreter/integrations.js";

/**
 * The map from the workflows' function placeholders (`${OpenFunction}`…) to the task handlers,
 * run in-process by the local interpreter: the same handlers the Lambda functions run on AWS,
 * created with the local runtime's deps (SQLite store, the interpreter's own callbacks).
 */

export const TASK_FACTORIES: { readonly [T in TaskName]: TaskFactoryOf<T> } = {
  open: openTask,
  enrich: enrichTask,
  score: scoreTask,
  notify: notifyTask,
  confirm: confirmTask,
  approval: approvalTask,
  remediate: remediateTask,
  verify: verifyTask,
  record: recordTask,
};

/** The local function name of a task (what the substituted ARNs end with). */
export function localFunctionName(task: TaskName): string {
  return `riposte-${task}`;
}

/** Values for the workflows' placeholders: local function ARNs, shaped like Lambda's. */
export function localFunctionArns(region: string, account: string): Record<FunctionPlaceholder, string> {
  return Object.fromEntries(
    TASK_NAMES.map((task) => [
      FUNCTION_PLACEHOLDERS[task],
      `arn:aws:lambda:${region}:${account}:function:${localFunctionName(task)}`,
    ]),
  ) as Record<FunctionPlaceholder, string>;
}

/**
 * A resolver for the interpreter: each task's handler bound to `deps`; `overrides` replaces
 * some (tests inject faults at the function boundary, as a failing Lambda would).
 */
export function localFunctions(
  deps: TaskDeps,
  overrides: Partial<Record<TaskName, LocalFunction>> = {},
): FunctionResolver {
  const byName = new Map<string, LocalFunction>();
  for (const task of TASK_NAMES)
    byName.set(localFunctionName(task), overrides[task] ?? TASK_FACTORIES[task].create(deps));
  return (functionName) => byName.get(functionNameOf(functionName));
}
