import { closeSync, openSync as createFile } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";

/**
 * One data directory, one `riposte serve`. Two servers on the same files would both work the
 * same inbox and resume the same executions: duplicate notifications and approval requests,
 * lost findings. The lock is SQLite's own file lock on `riposte.lock` (a small SQLite file),
 * held as an open write transaction for the server's lifetime. The operating system drops that
 * lock the moment its process ends, however it ends, so a lock left by a killed server is never
 * "stale": the next server simply gets it, and two servers racing for it cannot both win (the
 * kernel grants it to one). There is no pid to trust or reuse. The file also records who holds
 * it (pid, host, start time) so the loser can say who is running, and whether the previous
 * owner let go cleanly. Like every POSIX lock, it is only as good as the file system's locking:
 * keep the data directory on a local disk, not a network share.
 */

/** The lock file inside a data directory. */
export const LOCK_FILE = "riposte.lock";

/** Who holds (or last held) a data directory. */
export interface DataDirOwner {
  pid: number;
  host: string;
  /** When the owning process started (ISO 8601). */
  startedAt: string;
  version: string;
  /** When it let go cleanly; absent while it runs, and after a crash. */
  releasedAt?: string;
}

/** Another process holds the data directory. */
export class DataDirInUseError extends Error {
  override name = "DataDirInUseError";
  constructor(
    readonly dataDir: string,
    /** Who holds it, when the lock file says so. */
    readonly owner: DataDirOwner | undefined,
  ) {
    super(
      `the data directory ${dataDir} is in use by another riposte serve (${
        owner ? `pid ${owner.pid} on ${owner.host}, started ${owner.startedAt}` : "its pid is not recorded yet"
      })`,
    );
  }
}

export interface DataDirLock {
  readonly file: string;
  /** The previous owner, when it ended without releasing the directory (killed or crashed). */
  readonly uncleanPrevious?: DataDirOwner;
  /** Let go: recorded as a clean stop, then the lock is dropped. Idempotent. */
  release(): void;
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS owner (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  started_at TEXT NOT NULL,
  version TEXT NOT NULL,
  released_at TEXT
) STRICT`;

interface OwnerRow {
  pid: number;
  host: string;
  started_at: string;
  version: string;
  released_at: string | null;
}

const isBusy = (error: unknown) => /^SQLITE_BUSY/.test(String((error as { code?: unknown })?.code));

/** Take the write lock without waiting; false when another connection has it. */
function tryTake(db: Database.Database): boolean {
  try {
    db.exec("BEGIN IMMEDIATE");
    return true;
  } catch (error) {
    if (isBusy(error)) return false;
    throw error;
  }
}

function readOwner(db: Database.Database): DataDirOwner | undefined {
  let row: OwnerRow | undefined;
  try {
    row = db.prepare("SELECT * FROM owner WHERE id = 1").get() as OwnerRow | undefined;
  } catch {
    return undefined; // the winner has not created the table yet
  }
  if (!row) return undefined;
  return {
    pid: row.pid,
    host: row.host,
    startedAt: row.started_at,
    version: row.version,
    ...(row.released_at ? { releasedAt: row.released_at } : {}),
  };
}

/** Create the lock file owner-only if missing; never open an existing one outside SQLite. */
function createIfMissing(file: string): void {
  try {
    // Opening and closing the file with another descriptor would drop every POSIX lock this
    // process holds on it (a second attempt in the same process would free the first's lock).
    closeSync(createFile(file, "wx", 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
}

export interface LockOptions {
  version: string;
  /** This process; tests pass another to play a second server in one process. */
  pid?: number;
  now?: () => Date;
}

/**
 * Take the data directory for this process, or throw `DataDirInUseError` naming the holder.
 * The directory must exist and be writable (see data-dir.ts).
 */
export function lockDataDir(dataDir: string, options: LockOptions): DataDirLock {
  const file = join(dataDir, LOCK_FILE);
  const pid = options.pid ?? process.pid;
  const now = options.now ?? (() => new Date());
  createIfMissing(file);
  const db = new Database(file, { timeout: 0 });
  try {
    if (!tryTake(db)) throw new DataDirInUseError(dataDir, holderOf(db));
    db.exec(SCHEMA);
    const previous = readOwner(db);
    db.prepare(
      `INSERT OR REPLACE INTO owner (id, pid, host, started_at, version, released_at) VALUES (1, ?, ?, ?, ?, NULL)`,
    ).run(pid, hostname(), new Date(now().getTime() - process.uptime() * 1000).toISOString(), options.version);
    // The owner is written and committed so others can read it, then the lock is taken again
    // and kept. Another starter can slip in between: it then owns the directory and this one
    // loses, as if it had come second.
    db.exec("COMMIT");
    if (!tryTake(db)) throw new DataDirInUseError(dataDir, holderOf(db, pid));
    // Readers of the owner row hold the file briefly; the release's commit may wait for them.
    db.pragma("busy_timeout = 2000");
    let released = false;
    return {
      file,
      ...(previous && !previous.releasedAt ? { uncleanPrevious: previous } : {}),
      release() {
        if (released) return;
        released = true;
        try {
          db.prepare("UPDATE owner SET released_at = ? WHERE id = 1 AND pid = ?").run(now().toISOString(), pid);
          db.exec("COMMIT");
        } finally {
          db.close(); // drops the lock even if recording the clean stop failed
        }
      },
    };
  } catch (error) {
    if (db.open) db.close();
    throw error;
  }
}

/** Whether the owner's process still runs (another host's cannot be checked: assumed so). */
function isRunning(owner: DataDirOwner): boolean {
  if (owner.host !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The holder, for the message of the one that lost. The lock is held before the holder's row is
 * committed, so for a moment the row still names the previous owner (gone, or released) or, after
 * losing in the commit window, this very process (`notMine`): wait briefly for the holder's row.
 */
function holderOf(db: Database.Database, notMine?: number): DataDirOwner | undefined {
  db.pragma("busy_timeout = 200");
  for (let attempt = 0; attempt < 40; attempt++) {
    const owner = readOwner(db);
    if (owner && owner.pid !== notMine && !owner.releasedAt && isRunning(owner)) return owner;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
  }
  return undefined;
}
