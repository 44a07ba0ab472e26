import { NotFound } from "../../errors.js";
import type { ApprovalResult } from "../../model/tasks.js";
import type { DecideOptions, PendingApproval } from "../ports.js";
import { decidedApproval } from "../writes.js";
import type { SqliteDatabase } from "./database.js";

/**
 * Pending approvals (with their task tokens) in SQLite; a decision is taken exactly once, and a
 * decision for the waiting workflow sets `resume_pending` in the same transaction (the resume
 * record), cleared once the workflow has taken it.
 */
export class SqliteApprovals {
  private readonly upsert;
  private readonly select;
  private readonly decide;
  private readonly pending;
  private readonly toResume;
  private readonly clear;

  constructor(private readonly db: SqliteDatabase) {
    this.upsert = db.prepare(
      `INSERT INTO approvals (id, incident_id, status, created_at, body, resume_pending)
         VALUES (@id, @incidentId, @status, @createdAt, @body, @resumePending)
       ON CONFLICT (id) DO UPDATE SET incident_id = excluded.incident_id, status = excluded.status,
         created_at = excluded.created_at, body = excluded.body, resume_pending = excluded.resume_pending`,
    );
    this.select = db.prepare<[string], { body: string }>("SELECT body FROM approvals WHERE id = ?");
    this.decide = db.prepare(
      "UPDATE approvals SET status = ?, body = ?, resume_pending = ? WHERE id = ? AND status = 'pending'",
    );
    this.pending = db.prepare<[], { body: string }>(
      "SELECT body FROM approvals WHERE status = 'pending' ORDER BY created_at, id",
    );
    this.toResume = db.prepare<[], { body: string }>(
      "SELECT body FROM approvals WHERE resume_pending = 1 ORDER BY created_at, id",
    );
    this.clear = db.prepare(
      "UPDATE approvals SET resume_pending = 0, body = json_remove(body, '$.resumePending') WHERE id = ? AND resume_pending = 1",
    );
  }

  put(approval: PendingApproval): void {
    this.upsert.run({
      id: approval.id,
      incidentId: approval.incidentId,
      status: approval.status,
      createdAt: approval.createdAt,
      body: JSON.stringify(approval),
      resumePending: approval.resumePending ? 1 : 0,
    });
  }

  get(id: string): PendingApproval | undefined {
    const row = this.select.get(id);
    return row ? (JSON.parse(row.body) as PendingApproval) : undefined;
  }

  decideOnce(
    id: string,
    status: Exclude<PendingApproval["status"], "pending">,
    result: ApprovalResult,
    options: DecideOptions,
  ) {
    return this.db
      .transaction(() => {
        const current = this.get(id);
        if (!current) throw new NotFound(`approval ${id} does not exist`);
        const decided = decidedApproval(current, status, result, options);
        const applied = this.decide.run(status, JSON.stringify(decided), options.resume ? 1 : 0, id).changes === 1;
        return applied ? { approval: decided, applied } : { approval: current, applied };
      })
      .immediate();
  }

  listPending(): PendingApproval[] {
    return this.pending.all().map((row) => JSON.parse(row.body) as PendingApproval);
  }

  listToResume(): PendingApproval[] {
    return this.toResume.all().map((row) => JSON.parse(row.body) as PendingApproval);
  }

  clearResume(id: string): void {
    this.clear.run(id);
  }
}
