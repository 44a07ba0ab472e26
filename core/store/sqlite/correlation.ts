import Database from "better-sqlite3";
import type { CorrelationStore, DatedMember, PutOptions, StoredItem, Timer } from "../../correlation/store.js";

/** Databases written before set members had a first-seen time get the column (NULL: unknown). */
function addFirstSeenColumn(db: Database.Database): void {
  const columns = db.pragma("table_info(riposte_correlation_sets)") as { name: string }[];
  if (!columns.some((column) => column.name === "first_seen")) {
    db.exec("ALTER TABLE riposte_correlation_sets ADD COLUMN first_seen INTEGER");
  }
}

/**
 * Correlation state in SQLite (the one-machine runtime), in its own tables so it can share the
 * database file of the incident store. Given a path, it opens the file in WAL mode; given an open
 * `Database`, it uses it as configured. Values are JSON text.
 */
export class SqliteCorrelationStore implements CorrelationStore {
  private readonly db: Database.Database;
  private readonly owned: boolean;
  private readonly statements;
  /** Each write's transaction, made once (better-sqlite3 builds four wrappers per `transaction` call). */
  private readonly transactions;

  constructor(database: string | Database.Database) {
    this.owned = typeof database === "string";
    this.db = typeof database === "string" ? new Database(database) : database;
    if (this.owned) {
      this.db.pragma("journal_mode = WAL");
      this.db.pragma("synchronous = NORMAL");
    }
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS riposte_correlation_items (
        key TEXT PRIMARY KEY, value TEXT NOT NULL, version INTEGER NOT NULL, expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS riposte_correlation_items_expiry ON riposte_correlation_items (expires_at);
      CREATE TABLE IF NOT EXISTS riposte_correlation_sets (
        key TEXT NOT NULL, member TEXT NOT NULL, expires_at INTEGER NOT NULL, first_seen INTEGER,
        PRIMARY KEY (key, member)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS riposte_correlation_sets_expiry ON riposte_correlation_sets (expires_at);
      CREATE TABLE IF NOT EXISTS riposte_correlation_timers (
        id TEXT PRIMARY KEY, due_at INTEGER NOT NULL, payload TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS riposte_correlation_timers_due ON riposte_correlation_timers (due_at, id);
    `);
    addFirstSeenColumn(this.db);
    this.statements = {
      get: this.db.prepare<[string], { value: string; version: number; expires_at: number }>(
        "SELECT value, version, expires_at FROM riposte_correlation_items WHERE key = ?",
      ),
      upsert: this.db.prepare(
        "INSERT INTO riposte_correlation_items (key, value, version, expires_at) VALUES (?, ?, ?, ?) " +
          "ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = excluded.version, expires_at = excluded.expires_at",
      ),
      delete: this.db.prepare("DELETE FROM riposte_correlation_items WHERE key = ?"),
      member: this.db.prepare<[string, string], { expires_at: number }>(
        "SELECT expires_at FROM riposte_correlation_sets WHERE key = ? AND member = ?",
      ),
      // A member expired by `now` starts a new run; min() keeps NULL (stored before first_seen existed).
      addMember: this.db.prepare(
        "INSERT INTO riposte_correlation_sets (key, member, expires_at, first_seen) VALUES (?, ?, ?, ?) " +
          "ON CONFLICT (key, member) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at), " +
          "first_seen = CASE WHEN expires_at <= excluded.first_seen THEN excluded.first_seen " +
          "ELSE min(first_seen, excluded.first_seen) END",
      ),
      count: this.db.prepare<[string, number], { n: number }>(
        "SELECT count(*) AS n FROM riposte_correlation_sets WHERE key = ? AND expires_at > ?",
      ),
      members: this.db.prepare<[string, number], { member: string }>(
        "SELECT member FROM riposte_correlation_sets WHERE key = ? AND expires_at > ? ORDER BY member",
      ),
      datedMembers: this.db.prepare<[string, number], { member: string; first_seen: number | null }>(
        "SELECT member, first_seen FROM riposte_correlation_sets WHERE key = ? AND expires_at > ? ORDER BY member",
      ),
      removeMember: this.db.prepare("DELETE FROM riposte_correlation_sets WHERE key = ? AND member = ?"),
      schedule: this.db.prepare(
        "INSERT INTO riposte_correlation_timers (id, due_at, payload) VALUES (?, ?, ?) " +
          "ON CONFLICT (id) DO UPDATE SET due_at = excluded.due_at, payload = excluded.payload",
      ),
      cancel: this.db.prepare("DELETE FROM riposte_correlation_timers WHERE id = ?"),
      due: this.db.prepare<[number, number], { id: string; due_at: number; payload: string }>(
        "SELECT id, due_at, payload FROM riposte_correlation_timers WHERE due_at <= ? ORDER BY due_at, id LIMIT ?",
      ),
      sweepItems: this.db.prepare("DELETE FROM riposte_correlation_items WHERE expires_at <= ?"),
      sweepSets: this.db.prepare("DELETE FROM riposte_correlation_sets WHERE expires_at <= ?"),
    };
    const statements = this.statements;
    this.transactions = {
      put: this.db.transaction((key: string, value: unknown, options: PutOptions) => {
        const row = statements.get.get(key);
        const version = row && row.expires_at > options.now ? row.version : 0;
        if (options.ifVersion !== undefined && version !== options.ifVersion) return false;
        statements.upsert.run(key, JSON.stringify(value), version + 1, options.expiresAt);
        return true;
      }),
      addToSet: this.db.transaction(
        (key: string, members: readonly string[], options: { now: number; expiresAt: number }) => {
          const added: string[] = [];
          for (const member of members) {
            const row = statements.member.get(key, member);
            if (!row || row.expires_at <= options.now) added.push(member);
            statements.addMember.run(key, member, options.expiresAt, options.now);
          }
          return { added, size: statements.count.get(key, options.now)?.n ?? 0 };
        },
      ),
      removeFromSet: this.db.transaction((key: string, members: readonly string[]) => {
        for (const member of members) statements.removeMember.run(key, member);
      }),
      takeDue: this.db.transaction((upTo: number, limit: number) => {
        const rows = statements.due.all(upTo, limit);
        for (const row of rows) statements.cancel.run(row.id);
        return rows.map((row) => ({ id: row.id, dueAt: row.due_at, payload: JSON.parse(row.payload) as unknown }));
      }),
      sweep: this.db.transaction(
        (now: number) => statements.sweepItems.run(now).changes + statements.sweepSets.run(now).changes,
      ),
    };
  }

  async get<T>(key: string, now: number): Promise<StoredItem<T> | undefined> {
    const row = this.statements.get.get(key);
    if (!row || row.expires_at <= now) return undefined;
    return { value: JSON.parse(row.value) as T, version: row.version, expiresAt: row.expires_at };
  }

  async put<T>(key: string, value: T, options: PutOptions): Promise<boolean> {
    return this.transactions.put.immediate(key, value, options);
  }

  async delete(key: string): Promise<void> {
    this.statements.delete.run(key);
  }

  async addToSet(key: string, members: readonly string[], options: { now: number; expiresAt: number }) {
    return this.transactions.addToSet.immediate(key, members, options);
  }

  async members(key: string, now: number): Promise<string[]> {
    return this.statements.members.all(key, now).map((row) => row.member);
  }

  async datedMembers(key: string, now: number): Promise<DatedMember[]> {
    return this.statements.datedMembers
      .all(key, now)
      .map((row) =>
        row.first_seen === null ? { member: row.member } : { member: row.member, firstSeen: row.first_seen },
      );
  }

  async removeFromSet(key: string, members: readonly string[]): Promise<void> {
    this.transactions.removeFromSet(key, members);
  }

  async schedule(timer: Timer): Promise<void> {
    this.statements.schedule.run(timer.id, timer.dueAt, JSON.stringify(timer.payload ?? null));
  }

  async cancel(id: string): Promise<void> {
    this.statements.cancel.run(id);
  }

  async takeDue(upTo: number, limit = 1000): Promise<Timer[]> {
    return this.transactions.takeDue.immediate(upTo, limit);
  }

  async sweep(now: number): Promise<number> {
    return this.transactions.sweep(now);
  }

  /** Close the database if this store opened it. */
  close(): void {
    if (this.owned) this.db.close();
  }
}
