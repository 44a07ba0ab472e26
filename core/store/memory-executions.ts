import type { ExecutionStatus, HistoryEvent } from "../model/history.js";
import type { ExecutionStore, StoredExecution } from "./ports.js";

/** Executions and their history in memory (tests); the SQLite store persists the same. */
export class MemoryExecutionStore implements ExecutionStore {
  private readonly executions = new Map<string, StoredExecution>();
  private readonly history = new Map<string, Map<number, HistoryEvent>>();

  async putExecution(execution: StoredExecution) {
    this.executions.set(execution.executionArn, structuredClone(execution));
  }

  async getExecution(executionArn: string) {
    const execution = this.executions.get(executionArn);
    return execution ? structuredClone(execution) : undefined;
  }

  async listExecutions(filter: { status?: ExecutionStatus } = {}) {
    return [...this.executions.values()]
      .filter((execution) => !filter.status || execution.status === filter.status)
      .sort((a, b) => (a.startDate === b.startDate ? 0 : a.startDate < b.startDate ? -1 : 1))
      .map((execution) => structuredClone(execution));
  }

  /** Events are keyed by id, so appending the same event again (a replay after a crash) is a no-op. */
  async appendHistory(executionArn: string, events: HistoryEvent[]) {
    const stored = this.history.get(executionArn) ?? new Map<number, HistoryEvent>();
    for (const event of events) stored.set(event.id, structuredClone(event));
    this.history.set(executionArn, stored);
  }

  async getHistory(executionArn: string) {
    const stored = this.history.get(executionArn);
    return stored ? [...stored.values()].sort((a, b) => a.id - b.id).map((event) => structuredClone(event)) : [];
  }
}
