import { capitalizedTask, perTask, type TaskName } from "../core/model/tasks.js";

/**
 * The workflows name their Lambda functions by placeholder (`${OpenFunction}`…): the AWS stack
 * substitutes the deployed ARNs, the local runtime substitutes its in-process functions'
 * names, and `riposte workflows export` leaves them as they are so the ASL reads and diffs
 * cleanly. A task's placeholder is its name capitalized, then `Function`.
 */

export type FunctionPlaceholder = `${Capitalize<TaskName>}Function`;

export const FUNCTION_PLACEHOLDERS: Readonly<Record<TaskName, FunctionPlaceholder>> = perTask(
  (task): FunctionPlaceholder => `${capitalizedTask(task)}Function`,
);

/** `${OpenFunction}`: how a definition refers to a task's function before substitution. */
export function placeholder(task: TaskName): string {
  return `\${${FUNCTION_PLACEHOLDERS[task]}}`;
}

const PLACEHOLDER = /\$\{([A-Za-z][A-Za-z0-9]*)\}/g;

/**
 * A copy of `definition` with every `${Name}` in its strings replaced by `values[Name]`. A
 * placeholder without a value is an error naming it: a half-substituted state machine must not
 * reach Step Functions.
 */
export function substitutePlaceholders<T>(definition: T, values: Readonly<Record<string, string>>): T {
  const replace = (value: unknown): unknown => {
    if (typeof value === "string") {
      return value.replace(PLACEHOLDER, (_match, name: string) => {
        const substitute = values[name];
        if (substitute === undefined) throw new Error(`no value for the placeholder \${${name}}`);
        return substitute;
      });
    }
    if (Array.isArray(value)) return value.map(replace);
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replace(item)]));
    }
    return value;
  };
  return replace(definition) as T;
}

/** The placeholders a definition uses, sorted. */
export function placeholdersIn(definition: unknown): string[] {
  const found = new Set<string>();
  for (const match of JSON.stringify(definition).matchAll(PLACEHOLDER)) if (match[1]) found.add(match[1]);
  return [...found].sort();
}
