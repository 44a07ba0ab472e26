import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Logger } from "../../core/log.js";
import { databaseFileIn } from "../../core/store/sqlite/database.js";
import { assertIntact, CorruptDatabaseError, namingCorruption } from "../../core/store/sqlite/integrity.js";
import { type DataDirLock, LOCK_FILE, lockDataDir } from "./data-dir-lock.js";
import { DETECTION_DATABASE_FILE } from "./detection-db.js";

/**
 * The data directory made ready before any database opens: it exists and this user can write in
 * it, this process holds it alone (data-dir-lock.ts), and, when asked, a damaged database is
 * moved aside so an empty one starts in its place. Problems are named errors the CLI turns into
 * one line.
 */

/** The data directory cannot be created or written; `problem` says why, in words. */
export class DataDirUnusableError extends Error {
  override name = "DataDirUnusableError";
  constructor(
    readonly path: string,
    readonly problem: string,
    /** The system's error code (EACCES, EROFS, ENOTDIR…), when there is one. */
    readonly code?: string,
  ) {
    super(`${path} ${problem}`);
  }
}

const ERRNO_WORDS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOTDIR: "a part of the path is a file, not a directory",
  EEXIST: "exists and is not a directory",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
};

const codeOf = (error: unknown) => (error as NodeJS.ErrnoException).code;

function described(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ? `${ERRNO_WORDS[code] ?? (error as Error).message} (${code})` : String(error);
}

/** The SQLite files of a data directory, in the order the runtime opens them. */
export function databaseFiles(dataDir: string): string[] {
  return [databaseFileIn(dataDir), join(dataDir, DETECTION_DATABASE_FILE)];
}

/** Create the directory if needed and prove a file can be created in it (root ignores modes). */
function ensureWritable(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new DataDirUnusableError(
      dataDir,
      `cannot be created as a data directory: ${described(error)}`,
      codeOf(error),
    );
  }
  const probe = join(dataDir, `.riposte-write-test-${process.pid}`);
  try {
    closeSync(openSync(probe, "wx", 0o600));
    rmSync(probe, { force: true });
  } catch (error) {
    throw new DataDirUnusableError(dataDir, `is not writable: ${described(error)}`, codeOf(error));
  }
  for (const file of databaseFiles(dataDir)) {
    for (const part of [file, `${file}-wal`, `${file}-shm`]) {
      try {
        if (existsSync(part)) accessSync(part, constants.R_OK | constants.W_OK);
      } catch (error) {
        throw new DataDirUnusableError(part, `is not writable: ${described(error)}`, codeOf(error));
      }
    }
  }
}

/** `riposte.db` → `riposte.db.corrupt-2026-12-06T18-30-00-000Z` (with its -wal and -shm). */
function moveAside(file: string, at: Date): string {
  const target = `${file}.corrupt-${at.toISOString().replace(/[:.]/g, "-")}`;
  for (const suffix of ["-wal", "-shm", "-journal"]) {
    if (existsSync(`${file}${suffix}`)) renameSync(`${file}${suffix}`, `${target}${suffix}`);
  }
  renameSync(file, target);
  return target;
}

/** Check one existing database; undefined when intact, else the error saying what is wrong. */
function damageOf(file: string): CorruptDatabaseError | undefined {
  if (!existsSync(file)) return undefined;
  try {
    namingCorruption(file, () => {
      const db = new Database(file, { timeout: 5000 });
      try {
        assertIntact(db, file);
      } finally {
        db.close();
      }
    });
    return undefined;
  } catch (error) {
    if (error instanceof CorruptDatabaseError) return error;
    throw error;
  }
}

/** Move every damaged database of the directory aside (the caller holds the directory). */
export function moveCorruptDatabasesAside(dataDir: string, logger: Logger, now = () => new Date()): string[] {
  const moved: string[] = [];
  for (const file of databaseFiles(dataDir)) {
    const damage = damageOf(file);
    if (!damage) continue;
    const target = moveAside(file, now());
    moved.push(target);
    logger.warn("moved a damaged database aside; starting with an empty one", {
      file,
      movedTo: target,
      problem: damage.problem,
    });
  }
  return moved;
}

/** A damaged lock file is not guessed away: deleting one that another starter just took is a race. */
export const DAMAGED_LOCK = "EDAMAGEDLOCK";

function lockOrExplain(dataDir: string, version: string): DataDirLock {
  const file = join(dataDir, LOCK_FILE);
  try {
    return namingCorruption(file, () => lockDataDir(dataDir, { version }));
  } catch (error) {
    if (!(error instanceof CorruptDatabaseError)) throw error;
    throw new DataDirUnusableError(file, `is damaged (${error.problem})`, DAMAGED_LOCK);
  }
}

export interface PrepareDataDirOptions {
  dataDir: string;
  version: string;
  logger: Logger;
  /** Move damaged databases aside instead of refusing to start (`--reset-corrupt-db`). */
  resetCorruptDatabases?: boolean;
}

/**
 * Make the data directory ready and hold it; release the returned lock on shutdown. Throws
 * `DataDirUnusableError` or `DataDirInUseError`.
 */
export function prepareDataDir(options: PrepareDataDirOptions): DataDirLock {
  const { dataDir, logger } = options;
  ensureWritable(dataDir);
  const lock = lockOrExplain(dataDir, options.version);
  const previous = lock.uncleanPrevious;
  if (previous) {
    logger.warn("the previous riposte serve on this data directory did not stop cleanly (killed or crashed)", {
      dataDir,
      previousPid: previous.pid,
      previousHost: previous.host,
      previousStartedAt: previous.startedAt,
    });
  }
  try {
    if (options.resetCorruptDatabases) moveCorruptDatabasesAside(dataDir, logger);
  } catch (error) {
    lock.release();
    throw error;
  }
  return lock;
}
