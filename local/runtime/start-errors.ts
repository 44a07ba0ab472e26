/**
 * Which failures to start a workflow are permanent: the request itself is wrong (its input is
 * over the 256 KiB quota or not valid, its name or state machine invalid), so retrying it gives
 * the same answer forever. Every other failure (the interpreter closing, a database or network
 * fault) is transient and retried. The names are those the local interpreter and AWS Step
 * Functions both use.
 */
const PERMANENT_START_ERRORS: ReadonlySet<string> = new Set([
  "InvalidExecutionInput",
  "InvalidName",
  "InvalidArn",
  "InvalidDefinition",
  "StateMachineDoesNotExist",
  "ValidationException",
]);

export function isPermanentStartError(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === "string" && PERMANENT_START_ERRORS.has(name);
}
