import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import type { Logger } from "../../log.js";
import { Checkpointer } from "./checkpointer.js";
import { assertIntact, namingCorruption } from "./integrity.js";
import { SyncPoints } from "./sync-points.js";

/**
 * The SQLite file behind the one-machine runtime: WAL (readers never block the writer), a busy
 * timeout so a second connection waits instead of failing, and versioned migrations.
 */

export type SqliteDatabase = Database.Database;

export interface OpenDatabaseOptions {
  /**
   * `full` (default): sync points fsync (see sync-points.ts), so a change is emitted, and an
   * answer given, only once it survives a power cut; `normal` never fsyncs, trading that last
   * guarantee for speed (a killed process still loses nothing committed).
   */
  synchronous?: "full" | "normal";
  /** How long a writer waits for another connection's lock. */
  busyTimeoutMs?: number;
  /** Where a failing sync point is reported. */
  logger?: Logger;
  /**
   * Checkpoint the WAL from a worker thread (checkpointer.ts) instead of inside the commit that
   * fills it (default: true for a file; `:memory:` has no WAL).
   */
  backgroundCheckpoints?: boolean;
}

/** The store's file inside a data directory. */
export const DATABASE_FILE = "riposte.db";

/** The store's schema, one entry per version (exported for the upgrade tests). */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    category TEXT NOT NULL,
    severity TEXT NOT NULL,
    resource TEXT NOT NULL,
    principal TEXT NOT NULL,
    summary TEXT NOT NULL,
    body TEXT NOT NULL
  ) STRICT;
  CREATE INDEX incidents_by_time ON incidents (created_at, id);
  CREATE INDEX incidents_by_status ON incidents (status, created_at, id);
  CREATE INDEX incidents_by_resource ON incidents (resource, created_at, id);
  CREATE INDEX incidents_by_principal ON incidents (principal, created_at, id);

  CREATE TABLE audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id TEXT NOT NULL,
    at TEXT NOT NULL,
    body TEXT NOT NULL
  ) STRICT;
  CREATE INDEX audit_by_incident ON audit (incident_id, at, seq);

  CREATE TABLE approvals (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL
  ) STRICT;
  CREATE INDEX approvals_by_status ON approvals (status, created_at, id);

  CREATE TABLE executions (
    execution_arn TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    start_date TEXT NOT NULL,
    incident_id TEXT,
    body TEXT NOT NULL
  ) STRICT;
  CREATE INDEX executions_by_status ON executions (status, start_date);

  CREATE TABLE execution_history (
    execution_arn TEXT NOT NULL,
    event_id INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (execution_arn, event_id)
  ) STRICT, WITHOUT ROWID;
  `,
  // 2: the approval's resume record, written in the decision's transaction (see approvals.ts).
  `
  ALTER TABLE approvals ADD COLUMN resume_pending INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX approvals_to_resume ON approvals (created_at, id) WHERE resume_pending = 1;
  `,
  // 3: time-boxed exceptions (see exceptions.ts).
  `
  CREATE TABLE exceptions (
    id TEXT PRIMARY KEY,
    expires_at TEXT NOT NULL,
    body TEXT NOT NULL
  ) STRICT;
  `,
  // 4: history events in a rowid table. In the WITHOUT ROWID table each event (1–2 KB of JSON)
  // lived in the key's b-tree, whose cells hold about 1 KB before spilling to an overflow page:
  // 36 pages per execution, half of them empty. Appended by rowid, events pack several to a page.
  `
  CREATE TABLE execution_events (
    seq INTEGER PRIMARY KEY,
    execution_arn TEXT NOT NULL,
    event_id INTEGER NOT NULL,
    body TEXT NOT NULL
  ) STRICT;
  INSERT INTO execution_events (execution_arn, event_id, body)
    SELECT execution_arn, event_id, body FROM execution_history ORDER BY execution_arn, event_id;
  DROP TABLE execution_history;
  ALTER TABLE execution_events RENAME TO execution_history;
  CREATE UNIQUE INDEX execution_history_by_event ON execution_history (execution_arn, event_id);
  `,
];

/** Where a connection keeps its sync points (a property, so a wrapping Proxy still finds them). */
const SYNC_POINTS = Symbol("riposte.syncPoints");

/** The sync points of a database `openSqlite` opened: when its commits are fsynced. */
export function syncPointsOf(db: SqliteDatabase): SyncPoints {
  const points = (db as SqliteDatabase & { [SYNC_POINTS]?: SyncPoints })[SYNC_POINTS];
  if (!points) throw new Error("this database was not opened by openSqlite: it has no sync points");
  return points;
}

/** Create the file owner-only (it holds approval task tokens) before SQLite opens it. */
function createPrivately(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, "a", 0o600));
}

/** Apply the migrations `file` has not had yet, in one transaction; a newer file is refused. */
function migrate(db: SqliteDatabase, file: string, migrations: readonly string[]): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(
      `${file} was written by a newer Riposte (schema ${current}, this one knows ${migrations.length}); upgrade Riposte or use another --data-dir`,
    );
  }
  db.transaction(() => {
    for (let version = current; version < migrations.length; version++) {
      db.exec(migrations[version]!);
      db.pragma(`user_version = ${version + 1}`);
    }
  }).immediate();
}

/**
 * Open a SQLite file the way every Riposte database is opened: created owner-only, WAL, commits
 * with synchronous=NORMAL and fsynced at sync points (`syncPointsOf`), the busy timeout, refused (naming the file) when damaged, then brought
 * to the schema `migrations` describe (the n-th entry takes `user_version` n to n+1; entries are
 * only ever appended). `:memory:` works for tests.
 */
export function openSqlite(
  file: string,
  migrations: readonly string[],
  options: OpenDatabaseOptions = {},
): SqliteDatabase {
  if (file !== ":memory:") createPrivately(file);
  const db = namingCorruption(file, () => new Database(file));
  try {
    namingCorruption(file, () => db.pragma("journal_mode = WAL"));
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    if (file !== ":memory:") assertIntact(db, file);
    namingCorruption(file, () => migrate(db, file, migrations));
    const points = new SyncPoints(db, {
      fsync: options.synchronous !== "normal" && file !== ":memory:",
      logger: options.logger,
    });
    Object.defineProperty(db, SYNC_POINTS, { value: points });
    if (file !== ":memory:" && options.backgroundCheckpoints !== false)
      checkpointInBackground(db, file, options.logger);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Start the background checkpointer, stopped by `db.close()` before the connection closes. */
function checkpointInBackground(db: SqliteDatabase, file: string, logger: Logger | undefined): void {
  const checkpointer = new Checkpointer(db, file, { logger });
  const close = db.close.bind(db);
  Object.defineProperty(db, "close", {
    value: () => {
      checkpointer.stop();
      return close();
    },
  });
}

/**
 * Open (creating and migrating as needed) the incident store's database; `:memory:` works for
 * tests. A damaged file is refused with a `CorruptDatabaseError` naming it (see integrity.ts).
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  return openSqlite(file, MIGRATIONS, options);
}

/** The database file inside a data directory. */
export function databaseFileIn(dataDir: string): string {
  return join(dataDir, DATABASE_FILE);
}
