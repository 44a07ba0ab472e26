import type Database from "better-sqlite3";
import { type ActionLedger, type LedgerEntry, normalizeTime } from "../ports.js";
import { syncPointsOf } from "./database.js";
import type { SyncPoints } from "./sync-points.js";

/**
 * The action ledger in the one-machine runtime's SQLite file. Its table is its own (created if
 * missing), and `reserve` counts and inserts in one immediate transaction, so two workflows
 * cannot both take the last slot of the window; a reservation survives a power cut (a sync
 * point) before the change it admits is made.
 */
export class SqliteActionLedger implements ActionLedger {
  private readonly statements;
  private readonly reserveTx;
  /** The sync points of a database `openSqlite` opened; none for a bare connection (tests). */
  private readonly sync?: SyncPoints;

  constructor(db: Database.Database) {
    try {
      this.sync = syncPointsOf(db);
    } catch {
      this.sync = undefined;
    }
    db.exec(`
      CREATE TABLE IF NOT EXISTS remediation_ledger (
        id TEXT PRIMARY KEY,
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        incident_id TEXT NOT NULL,
        expires_at TEXT,
        detail TEXT,
        cleared INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      CREATE INDEX IF NOT EXISTS remediation_ledger_by_time ON remediation_ledger (at);
      CREATE INDEX IF NOT EXISTS remediation_ledger_by_expiry ON remediation_ledger (cleared, expires_at);
    `);
    this.statements = {
      exists: db.prepare<[string], { one: number }>("SELECT 1 AS one FROM remediation_ledger WHERE id = ?"),
      countSince: db.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM remediation_ledger WHERE at > ?"),
      insert: db.prepare(
        `INSERT OR IGNORE INTO remediation_ledger (id, at, action, target, incident_id, expires_at, detail)
         VALUES (@id, @at, @action, @target, @incidentId, @expiresAt, @detail)`,
      ),
      setExpiry: db.prepare(
        "UPDATE remediation_ledger SET expires_at = ?, detail = COALESCE(?, detail), cleared = 0 WHERE id = ?",
      ),
      due: db.prepare<[string], Row>(
        "SELECT * FROM remediation_ledger WHERE cleared = 0 AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at",
      ),
      clear: db.prepare("UPDATE remediation_ledger SET cleared = 1 WHERE id = ?"),
    };
    this.reserveTx = db.transaction((entry: LedgerEntry, since: string, max: number) => {
      const count = this.statements.countSince.get(since)?.n ?? 0;
      if (this.statements.exists.get(entry.id)) return { allowed: true, count };
      if (count >= max) return { allowed: false, count };
      this.insert(entry);
      return { allowed: true, count: count + 1 };
    });
  }

  private insert(entry: LedgerEntry): void {
    this.statements.insert.run({
      id: entry.id,
      at: entry.at,
      action: entry.action,
      target: entry.target,
      incidentId: entry.incidentId,
      expiresAt: entry.expiresAt ?? null,
      detail: entry.detail ? JSON.stringify(entry.detail) : null,
    });
  }

  async reserve(entry: LedgerEntry, limit: { since: string; max: number }) {
    const outcome = this.reserveTx.immediate(entry, limit.since, limit.max);
    await this.sync?.durable();
    return outcome;
  }

  async record(entry: LedgerEntry) {
    this.insert(entry);
    await this.sync?.durable();
  }

  async setExpiry(id: string, expiresAt: string, detail?: Record<string, string>) {
    this.statements.setExpiry.run(normalizeTime(expiresAt), detail ? JSON.stringify(detail) : null, id);
    this.sync?.wrote();
  }

  async due(at: string) {
    return this.statements.due.all(normalizeTime(at)).map(fromRow);
  }

  async clear(id: string) {
    this.statements.clear.run(id);
    this.sync?.wrote();
  }
}

interface Row {
  id: string;
  at: string;
  action: string;
  target: string;
  incident_id: string;
  expires_at: string | null;
  detail: string | null;
}

function fromRow(row: Row): LedgerEntry {
  return {
    id: row.id,
    at: row.at,
    action: row.action,
    target: row.target,
    incidentId: row.incident_id,
    ...(row.expires_at ? { expiresAt: row.expires_at } : {}),
    ...(row.detail ? { detail: JSON.parse(row.detail) as Record<string, string> } : {}),
  };
}
