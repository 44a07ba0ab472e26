import type { ExecutionStatus, HistoryEvent } from "../../core/model/history.js";
import type { ExecutionStore, StoredExecution } from "../../core/store/ports.js";

/**
 * Executions and history in memory, for interpreter tests and benchmarks. Executions are cloned
 * in and out, like a real store (the interpreter keeps changing its checkpoint); history is
 * cloned on the way out.
 */
export class MemoryExecutionStore implements ExecutionStore {
  private readonly executions = new Map<string, StoredExecution>();
  private readonly history = new Map<string, HistoryEvent[]>();

  async putExecution(execution: StoredExecution): Promise<void> {
    this.executions.set(execution.executionArn, structuredClone(execution));
  }

  async getExecution(executionArn: string): Promise<StoredExecution | undefined> {
    const execution = this.executions.get(executionArn);
    return execution ? structuredClone(execution) : undefined;
  }

  async listExecutions(filter: { status?: ExecutionStatus } = {}): Promise<StoredExecution[]> {
    return [...this.executions.values()]
      .filter((execution) => filter.status === undefined || execution.status === filter.status)
      .map((execution) => structuredClone(execution));
  }

  /** Events are kept as given: the interpreter never changes an event once it is appended. */
  async appendHistory(executionArn: string, events: HistoryEvent[]): Promise<void> {
    const list = this.history.get(executionArn) ?? [];
    list.push(...events);
    this.history.set(executionArn, list);
  }

  async getHistory(executionArn: string): Promise<HistoryEvent[]> {
    return structuredClone(this.history.get(executionArn) ?? []);
  }
}
