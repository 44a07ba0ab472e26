import { closeSync, openSync, readSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";

/**
 * One data directory, one `riposte serve`. Two servers on the same files would both work the
 * same inbox and resume the same executions: duplicate notifications and approval requests,
 * lost findings. The lock is SQLite's own file lock on `riposte.lock` (an empty SQLite file),
 * held as a write transaction that is never committed, for the server's lifetime. The operating
 * system drops that lock the moment its process ends, however it ends, so a lock left by a killed
 * server is never "stale": the next server simply gets it, and two servers racing for it cannot
 * both win (the kernel grants it to one). There is no pid to trust or reuse. Who holds it (pid,
 * host, start time) is kept apart, in `riposte.owner`, written only by the holder once it holds
 * the lock, so whoever that record names held the lock when it was written: the loser can say
 * who is running, and the next holder whether the previous one let go cleanly. Like every POSIX
 * lock, it is only as good as the file system's locking: keep the data directory on a local
 * disk, not a network share.
 */

/** The lock file inside a data directory. */
export const LOCK_FILE = "riposte.lock";
/** Who holds (or last held) the lock, beside it; written only by the holder. */
export const OWNER_FILE = "riposte.owner";

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
    /** Who holds it, when the owner record says so. */
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

/** A record larger than this is not one we wrote. */
const MAX_OWNER_BYTES = 4096;

/** The owner record as written, or undefined when missing, damaged or not ours. */
function ownerFrom(value: unknown): DataDirOwner | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { pid, host, startedAt, version, releasedAt } = value as Record<string, unknown>;
  if (!Number.isSafeInteger(pid) || (pid as number) <= 0) return undefined;
  if (typeof host !== "string" || typeof startedAt !== "string" || typeof version !== "string") return undefined;
  if (releasedAt !== undefined && typeof releasedAt !== "string") return undefined;
  return { pid: pid as number, host, startedAt, version, ...(releasedAt ? { releasedAt } : {}) };
}

/**
 * The owner record. It is a file of its own (no lock is ever held on it), so reading it with an
 * ordinary descriptor is safe; it is replaced by rename, so it is read whole or not at all.
 */
function readOwnerFile(dataDir: string): DataDirOwner | undefined {
  let fd: number;
  try {
    fd = openSync(join(dataDir, OWNER_FILE), "r");
  } catch {
    return undefined;
  }
  try {
    const buffer = Buffer.alloc(MAX_OWNER_BYTES + 1);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    if (length > MAX_OWNER_BYTES) return undefined;
    return ownerFrom(JSON.parse(buffer.toString("utf8", 0, length)));
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Replace the owner record whole (temporary file, then rename), owner-only. Holder only. */
function writeOwnerFile(dataDir: string, owner: DataDirOwner): void {
  const target = join(dataDir, OWNER_FILE);
  const temporary = `${target}.tmp`;
  rmSync(temporary, { force: true }); // left by a holder killed while writing; "wx" never follows a link
  writeFileSync(temporary, `${JSON.stringify(owner)}\n`, { flag: "wx", mode: 0o600 });
  renameSync(temporary, target);
}

/**
 * The owner as versions before `riposte.owner` recorded it: a row inside the lock file, which
 * the holder committed. Read only where `riposte.owner` is missing or stale, so a directory last
 * run by an older version still reports an unclean stop, and an older server still running is
 * still named; the table is otherwise ignored (the lock file is never committed to again).
 */
function readLegacyOwner(db: Database.Database): DataDirOwner | undefined {
  try {
    const row = db.prepare("SELECT pid, host, started_at, version, released_at FROM owner WHERE id = 1").get() as
      | { pid: unknown; host: unknown; started_at: unknown; version: unknown; released_at: unknown }
      | undefined;
    if (!row) return undefined;
    return ownerFrom({
      pid: row.pid,
      host: row.host,
      startedAt: row.started_at,
      version: row.version,
      releasedAt: row.released_at ?? undefined,
    });
  } catch {
    return undefined; // no such table: a lock file of this version
  }
}

/** Create the lock file owner-only if missing; never open an existing one outside SQLite. */
function createIfMissing(file: string): void {
  try {
    // Opening and closing the file with another descriptor would drop every POSIX lock this
    // process holds on it (a second attempt in the same process would free the first's lock).
    closeSync(openSync(file, "wx", 0o600));
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
    if (!tryTake(db)) throw new DataDirInUseError(dataDir, holderOf(dataDir, db));
    // Held from here until release or exit: only now may the owner record change.
    const previous = readOwnerFile(dataDir) ?? readLegacyOwner(db);
    const owner: DataDirOwner = {
      pid,
      host: hostname(),
      startedAt: new Date(now().getTime() - process.uptime() * 1000).toISOString(),
      version: options.version,
    };
    writeOwnerFile(dataDir, owner);
    let released = false;
    return {
      file,
      ...(previous && !previous.releasedAt ? { uncleanPrevious: previous } : {}),
      release() {
        if (released) return;
        released = true;
        try {
          writeOwnerFile(dataDir, { ...owner, releasedAt: now().toISOString() }); // still holding
        } finally {
          db.close(); // rolls the empty transaction back: drops the lock even if the record failed
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

/** How long the one that lost waits for the holder to record itself. */
const HOLDER_WAIT_MS = 3000;
const HOLDER_POLL_MS = 25;

/**
 * The holder, for the message of the one that lost. The holder records itself just after it
 * takes the lock, so for a moment the record still names the previous owner (gone, or released):
 * wait briefly for a record naming a process that runs and has not let go. Only a holder writes
 * the record, so the process it names held the lock.
 */
function holderOf(dataDir: string, db: Database.Database): DataDirOwner | undefined {
  const current = (owner: DataDirOwner | undefined) => owner && !owner.releasedAt && isRunning(owner);
  const deadline = Date.now() + HOLDER_WAIT_MS;
  for (;;) {
    const owner = readOwnerFile(dataDir);
    if (current(owner)) return owner;
    const legacy = readLegacyOwner(db); // an older version's server holding it
    if (current(legacy)) return legacy;
    if (Date.now() >= deadline) return undefined;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, HOLDER_POLL_MS);
  }
}
