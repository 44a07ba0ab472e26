import type { z } from "zod";
import { InvalidInput } from "../../core/errors.js";
import type { TaskName, TaskSchemas } from "../../core/model/tasks.js";
import type { TaskDeps } from "../../core/task-deps.js";

/**
 * Every workflow task is defined the same way: a name, the input and output schemas from
 * `core/model/tasks.ts`, and one domain call. `defineTask` validates both ends and logs with the
 * incident id, so handlers stay a few lines. The result is a factory: the local runtime calls it
 * with SQLite-backed deps, the Lambda entry (`lambdaHandler`) with AWS-backed ones.
 */

export interface TaskDefinition<IS extends z.ZodType, OS extends z.ZodType> {
  name: TaskName;
  input: IS;
  output: OS;
  run(input: z.output<IS>, deps: TaskDeps): Promise<z.input<OS>>;
}

export interface TaskFactory<IS extends z.ZodType, OS extends z.ZodType> {
  name: TaskName;
  input: IS;
  output: OS;
  create(deps: TaskDeps): (input: unknown) => Promise<z.output<OS>>;
}

/** The factory of task `T`: its schemas are the task's own (`TASKS` in `core/model/tasks.ts`). */
export type TaskFactoryOf<T extends TaskName> = TaskFactory<TaskSchemas[T]["input"], TaskSchemas[T]["output"]>;

function incidentIdOf(input: unknown): string | undefined {
  if (typeof input !== "object" || input === null) return undefined;
  const record = input as { incidentId?: unknown; incident?: { id?: unknown } };
  if (typeof record.incidentId === "string") return record.incidentId;
  if (typeof record.incident?.id === "string") return record.incident.id;
  return undefined;
}

export function defineTask<IS extends z.ZodType, OS extends z.ZodType>(
  definition: TaskDefinition<IS, OS>,
): TaskFactory<IS, OS> {
  return {
    name: definition.name,
    input: definition.input,
    output: definition.output,
    create(deps) {
      return async (raw) => {
        const parsed = definition.input.safeParse(raw);
        if (!parsed.success) {
          const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(input)"}: ${issue.message}`);
          throw new InvalidInput(`${definition.name} task input is invalid: ${issues.join("; ")}`);
        }
        const logger = deps.logger.child({ task: definition.name, incidentId: incidentIdOf(raw) });
        const started = performance.now();
        const result = await definition.run(parsed.data, { ...deps, logger });
        const output = definition.output.parse(result);
        logger.debug("task completed", { ms: Math.round(performance.now() - started) });
        return output;
      };
    },
  };
}
