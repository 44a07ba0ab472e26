import type { ExecutionStore } from "../store/ports.js";
import type { ExecutionDetail, ExecutionReader } from "./types.js";

/**
 * The local execution reader: the interpreter's executions and history from the store, and the
 * ASL definition from whatever the runtime loaded (looked up by state machine ARN).
 */
export function storeExecutionReader(
  executions: Pick<ExecutionStore, "getExecution" | "getHistory">,
  definitionOf: (stateMachineArn: string) => unknown = () => undefined,
): ExecutionReader {
  return {
    async describe(executionArn) {
      const execution = await executions.getExecution(executionArn);
      if (!execution) return undefined;
      const detail: ExecutionDetail = {
        executionArn: execution.executionArn,
        name: execution.name,
        stateMachineArn: execution.stateMachineArn,
        status: execution.status,
        startDate: execution.startDate,
        ...(execution.stopDate ? { stopDate: execution.stopDate } : {}),
        history: await executions.getHistory(executionArn),
      };
      const definition = definitionOf(execution.stateMachineArn);
      if (definition !== undefined) detail.definition = definition;
      return detail;
    },
  };
}
