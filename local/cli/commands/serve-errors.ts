import { CorruptDatabaseError } from "../../../core/store/sqlite/integrity.js";
import { DAMAGED_LOCK, DataDirUnusableError } from "../../runtime/data-dir.js";
import { DataDirInUseError } from "../../runtime/data-dir-lock.js";
import { EXIT } from "../command.js";

/** What to do about a data directory that cannot be created or written. */
function remedy(code: string | undefined): string {
  if (code === "EACCES" || code === "EPERM") return "fix its permissions, or give another --data-dir";
  if (code === "EROFS") return "give a --data-dir on a writable file system";
  if (code === DAMAGED_LOCK) return "delete it (it holds no data, only the lock) and start again";
  return "give another --data-dir";
}

/**
 * Start-up failures of `riposte serve` that are the situation's fault, not Riposte's: each
 * becomes one line naming the file or directory and what to do, with its exit code (2 for the
 * data directory, like a bad flag; 1 for a database that cannot be read, like scan's unreadable
 * input). Anything else stays an internal error.
 */
export function startupFailure(error: unknown): { line: string; code: number } | undefined {
  if (error instanceof DataDirInUseError) {
    return { line: `${error.message}; stop it first, or give another --data-dir`, code: EXIT.usage };
  }
  if (error instanceof DataDirUnusableError) {
    return { line: `${error.message}; ${remedy(error.code)}`, code: EXIT.usage };
  }
  if (error instanceof CorruptDatabaseError) {
    return {
      line: `${error.message}; restore it from a backup, or start with --reset-corrupt-db to move it aside and begin with an empty one`,
      code: EXIT.inputError,
    };
  }
  return undefined;
}
