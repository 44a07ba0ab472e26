import type { z } from "zod";
import type { TaskDeps } from "../../core/task-deps.js";
import { awsTaskDeps } from "./aws-deps.js";
import { lazily } from "./lazy.js";
import type { TaskFactory } from "./task.js";

/**
 * A workflow task as a Lambda handler: the task's factory bound to the AWS deps, created on the
 * first invocation and reused while the container lives. The handler's answer is the task's
 * validated output (Step Functions reads it as `$states.result.Payload`); a thrown error keeps its
 * `name`, which the Lambda runtime reports as the error type the workflow's Retry/Catch match on.
 */
export function lambdaTask<IS extends z.ZodType, OS extends z.ZodType>(
  factory: TaskFactory<IS, OS>,
  resolveDeps: () => Promise<TaskDeps> = awsTaskDeps,
): (event: unknown) => Promise<z.output<OS>> {
  const run = lazily(async () => factory.create(await resolveDeps()));
  return async (event) => (await run())(event);
}
