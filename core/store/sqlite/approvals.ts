import { NotFound } from "../../errors.js";
import type { ApprovalResult } from "../../model/tasks.js";
import type { PendingApproval } from "../ports.js";
import type { SqliteDatabase } from "./database.js";

/** Pending approvals (with their task tokens) in SQLite; a decision is taken exactly once. */
export class SqliteApprovals {
  private readonly upsert;
  private readonly select;
  private readonly decide;
  private readonly pending;

  constructor(private readonly db: SqliteDatabase) {
    this.upsert = db.prepare(
      `INSERT INTO approvals (id, incident_id, status, created_at, body) VALUES (@id, @incidentId, @status, @createdAt, @body)
       ON CONFLICT (id) DO UPDATE SET incident_id = excluded.incident_id, status = excluded.status,
         created_at = excluded.created_at, body = excluded.body`,
    );
    this.select = db.prepare<[string], { body: string }>("SELECT body FROM approvals WHERE id = ?");
    this.decide = db.prepare("UPDATE approvals SET status = ?, body = ? WHERE id = ? AND status = 'pending'");
    this.pending = db.prepare<[], { body: string }>(
      "SELECT body FROM approvals WHERE status = 'pending' ORDER BY created_at, id",
    );
  }

  put(approval: PendingApproval): void {
    this.upsert.run({ ...approval, body: JSON.stringify(approval) });
  }

  get(id: string): PendingApproval | undefined {
    const row = this.select.get(id);
    return row ? (JSON.parse(row.body) as PendingApproval) : undefined;
  }

  decideOnce(id: string, status: Exclude<PendingApproval["status"], "pending">, result: ApprovalResult) {
    return this.db
      .transaction(() => {
        const current = this.get(id);
        if (!current) throw new NotFound(`approval ${id} does not exist`);
        const decided: PendingApproval = { ...current, status, result };
        const applied = this.decide.run(status, JSON.stringify(decided), id).changes === 1;
        return applied ? { approval: decided, applied } : { approval: current, applied };
      })
      .immediate();
  }

  listPending(): PendingApproval[] {
    return this.pending.all().map((row) => JSON.parse(row.body) as PendingApproval);
  }
}
