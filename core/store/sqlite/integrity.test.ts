import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { garbleHeader, garbleMiddlePage } from "./corrupt.fixture.js";
import { openDatabase } from "./database.js";
import { CorruptDatabaseError, isCorruptionError } from "./integrity.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A store file with a few hundred audit rows (dozens of pages), closed. */
function populatedStoreFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "riposte-integrity-"));
  dirs.push(dir);
  const file = join(dir, "riposte.db");
  const db = openDatabase(file);
  const insert = db.prepare("INSERT INTO audit (incident_id, at, body) VALUES (?, ?, ?)");
  db.transaction(() => {
    for (let i = 0; i < 600; i++) insert.run(`inc-${i}`, new Date(i * 1000).toISOString(), "x".repeat(300));
  })();
  db.close();
  return file;
}

describe("openDatabase refuses a damaged file, naming it", () => {
  it("opens an intact populated file", () => {
    const file = populatedStoreFile();

    const db = openDatabase(file);
    const count = db.prepare("SELECT count(*) AS n FROM audit").get() as { n: number };
    db.close();

    expect(count.n).toBe(600);
  });

  it("refuses a file whose header is garbage", () => {
    const file = populatedStoreFile();
    garbleHeader(file);

    const opening = () => openDatabase(file);

    expect(opening).toThrow(CorruptDatabaseError);
    expect(opening).toThrow(file);
  });

  it("refuses a file damaged in the middle, though its header and schema still read", () => {
    const file = populatedStoreFile();
    garbleMiddlePage(file);

    let error: unknown;
    try {
      openDatabase(file).close();
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(CorruptDatabaseError);
    expect((error as CorruptDatabaseError).file).toBe(file);
    expect((error as Error).message).toMatch(/^\S+riposte\.db is damaged \(.+\)$/);
    expect((error as Error).message).not.toContain("\n");
  });
});

describe("isCorruptionError", () => {
  it("tells SQLite's corruption codes from other failures", () => {
    expect(isCorruptionError(Object.assign(new Error("x"), { code: "SQLITE_CORRUPT" }))).toBe(true);
    expect(isCorruptionError(Object.assign(new Error("x"), { code: "SQLITE_NOTADB" }))).toBe(true);
    expect(isCorruptionError(Object.assign(new Error("x"), { code: "SQLITE_BUSY" }))).toBe(false);
    expect(isCorruptionError(new Error("no code"))).toBe(false);
  });
});
