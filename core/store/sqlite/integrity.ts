import type Database from "better-sqlite3";

/**
 * A SQLite file is checked before anything is written to it: a damaged one found later shows up
 * as lost incidents or stuck workflows far from the cause, so opening refuses it instead, naming
 * the file. `PRAGMA quick_check` verifies the structure of every page (b-trees, cell pointers,
 * the free list) in one pass; it cannot see a changed byte inside a record's text, since SQLite
 * keeps no checksums of its content.
 */

/** A database file that SQLite cannot read intact; `file` is its path. */
export class CorruptDatabaseError extends Error {
  override name = "CorruptDatabaseError";
  constructor(
    readonly file: string,
    /** What SQLite reported, on one line. */
    readonly problem: string,
  ) {
    super(`${file} is damaged (${problem})`);
  }
}

/** SQLite result codes that mean the file's content is not a readable database. */
const CORRUPTION_CODES = /^SQLITE_(CORRUPT|NOTADB)/;

/** Whether `error` is SQLite saying the file itself is damaged (not locked, not unwritable). */
export function isCorruptionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && CORRUPTION_CODES.test(code);
}

const oneLine = (text: string, max = 200) => {
  const line = text
    .replace(/\*\*\* in database main \*\*\*/g, "")
    .replace(/\s+/g, " ")
    .trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

/**
 * Run `work` (opening, pragmas, migrations) and report corruption it meets as a
 * `CorruptDatabaseError` naming `file`; any other error passes through unchanged.
 */
export function namingCorruption<T>(file: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (isCorruptionError(error)) throw new CorruptDatabaseError(file, oneLine((error as Error).message));
    throw error;
  }
}

/** `PRAGMA quick_check` on an open database; throws `CorruptDatabaseError` unless it answers ok. */
export function assertIntact(db: Database.Database, file: string): void {
  const rows = namingCorruption(file, () => db.pragma("quick_check") as { quick_check: string }[]);
  const problems = rows.map((row) => row.quick_check).filter((text) => text !== "ok");
  if (problems.length > 0) throw new CorruptDatabaseError(file, oneLine(problems.join("; ")));
}
