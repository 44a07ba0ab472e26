import type { ExecutionStatus, HistoryEvent } from "../../model/history.js";
import type { ExecutionStore, StoredExecution } from "../ports.js";
import type { SqliteDatabase } from "./database.js";

/** The local interpreter's executions and their history, so a restart resumes them. */
export class SqliteExecutionStore implements ExecutionStore {
  private readonly upsert;
  private readonly select;
  private readonly all;
  private readonly byStatus;
  private readonly insertEvent;
  private readonly history;

  constructor(db: SqliteDatabase) {
    this.upsert = db.prepare(
      `INSERT INTO executions (execution_arn, status, start_date, incident_id, body)
       VALUES (@executionArn, @status, @startDate, @incidentId, @body)
       ON CONFLICT (execution_arn) DO UPDATE SET status = excluded.status, start_date = excluded.start_date,
         incident_id = excluded.incident_id, body = excluded.body`,
    );
    this.select = db.prepare<[string], { body: string }>("SELECT body FROM executions WHERE execution_arn = ?");
    this.all = db.prepare<[], { body: string }>("SELECT body FROM executions ORDER BY start_date, rowid");
    this.byStatus = db.prepare<[string], { body: string }>(
      "SELECT body FROM executions WHERE status = ? ORDER BY start_date, rowid",
    );
    this.insertEvent = db.prepare(
      `INSERT INTO execution_history (execution_arn, event_id, body) VALUES (?, ?, ?)
       ON CONFLICT (execution_arn, event_id) DO UPDATE SET body = excluded.body`,
    );
    this.history = db.prepare<[string], { body: string }>(
      "SELECT body FROM execution_history WHERE execution_arn = ? ORDER BY event_id",
    );
    this.save = db.transaction((execution: StoredExecution, events: HistoryEvent[]) => {
      // Checkpoint before history, as the interpreter writes them apart elsewhere.
      this.put(execution);
      this.append(execution.executionArn, events);
    });
    this.appendAll = db.transaction((executionArn: string, events: HistoryEvent[]) =>
      this.append(executionArn, events),
    );
  }

  private readonly save;
  private readonly appendAll;

  async putExecution(execution: StoredExecution) {
    this.put(execution);
  }

  private put(execution: StoredExecution): void {
    this.upsert.run({ ...execution, incidentId: execution.incidentId ?? null, body: JSON.stringify(execution) });
  }

  private append(executionArn: string, events: HistoryEvent[]): void {
    for (const event of events) this.insertEvent.run(executionArn, event.id, JSON.stringify(event));
  }

  /** The checkpoint and the step's history in one transaction: one commit (one fsync) per step, not two. */
  async saveProgress(execution: StoredExecution, events: HistoryEvent[]) {
    this.save(execution, events);
  }

  async getExecution(executionArn: string) {
    const row = this.select.get(executionArn);
    return row ? (JSON.parse(row.body) as StoredExecution) : undefined;
  }

  async listExecutions(filter: { status?: ExecutionStatus } = {}) {
    const rows = filter.status ? this.byStatus.all(filter.status) : this.all.all();
    return rows.map((row) => JSON.parse(row.body) as StoredExecution);
  }

  async appendHistory(executionArn: string, events: HistoryEvent[]) {
    this.appendAll(executionArn, events);
  }

  async getHistory(executionArn: string) {
    return this.history.all(executionArn).map((row) => JSON.parse(row.body) as HistoryEvent);
  }
}
