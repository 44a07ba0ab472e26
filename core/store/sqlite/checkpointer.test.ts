import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openSqlite } from "./database.js";

const MIGRATIONS = ["CREATE TABLE blobs (id INTEGER PRIMARY KEY, body TEXT NOT NULL) STRICT;"];

describe("background checkpoints", () => {
  const dirs: string[] = [];
  const fileIn = () => {
    const dir = mkdtempSync(join(tmpdir(), "riposte-checkpointer-"));
    dirs.push(dir);
    return join(dir, "test.db");
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** Commit about `pages` pages of new rows: they sit in the WAL until a checkpoint copies them. */
  const fill = (db: ReturnType<typeof openSqlite>, pages: number) => {
    const insert = db.prepare("INSERT INTO blobs (body) VALUES (?)");
    db.transaction(() => {
      for (let i = 0; i < pages; i++) insert.run("x".repeat(3500));
    })();
  };

  it("copies committed pages into the database file without a commit doing it", async () => {
    const file = fileIn();
    const db = openSqlite(file, MIGRATIONS);
    try {
      // The commit's own automatic checkpoint is only a backstop now, far above this.
      expect(db.pragma("wal_autocheckpoint", { simple: true })).toBeGreaterThan(1000);
      const before = statSync(file).size;
      fill(db, 200);
      expect(statSync(file).size).toBe(before);
      await expect.poll(() => statSync(file).size, { timeout: 10_000 }).toBeGreaterThan(before + 100 * 4096);
      expect(db.prepare("SELECT count(*) AS n FROM blobs").get()).toEqual({ n: 200 });
    } finally {
      db.close();
    }
  });

  it("lets go of its connection when the database closes, so that close is the last one", async () => {
    const file = fileIn();
    const db = openSqlite(file, MIGRATIONS);
    fill(db, 20);
    await new Promise((resolve) => setTimeout(resolve, 300));
    db.close();
    // The last connection to close checkpoints the log and removes it.
    expect(existsSync(`${file}-wal`)).toBe(false);
    const again = openSqlite(file, MIGRATIONS);
    try {
      expect(again.prepare("SELECT count(*) AS n FROM blobs").get()).toEqual({ n: 20 });
    } finally {
      again.close();
    }
  });

  it("closes at once when the worker has not started yet", () => {
    const file = fileIn();
    const db = openSqlite(file, MIGRATIONS);
    fill(db, 5);
    db.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it("is left out on request: SQLite's automatic checkpoints as before", () => {
    const db = openSqlite(fileIn(), MIGRATIONS, { backgroundCheckpoints: false });
    try {
      expect(db.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
    } finally {
      db.close();
    }
  });
});
