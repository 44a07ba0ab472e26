import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../core/log.js";
import { garbleMiddlePage } from "../../core/store/sqlite/corrupt.fixture.js";
import { openDatabase } from "../../core/store/sqlite/database.js";
import { DataDirUnusableError, prepareDataDir } from "./data-dir.js";
import { DataDirInUseError } from "./data-dir-lock.js";
import { openDetectionDatabase } from "./detection-db.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function newDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "riposte-data-dir-"));
  dirs.push(dir);
  return dir;
}

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  return { lines, logger: createLogger({ level: "info", sink: (line) => lines.push(JSON.parse(line)) }) };
}

const prepare = (
  dataDir: string,
  extra: { resetCorruptDatabases?: boolean; logger?: ReturnType<typeof createLogger> } = {},
) => prepareDataDir({ dataDir, version: "test", logger: extra.logger ?? createLogger({ level: "silent" }), ...extra });

/** A data directory with a populated store and detection database, both closed. */
function populated(): string {
  const dataDir = newDir();
  const db = openDatabase(join(dataDir, "riposte.db"));
  const insert = db.prepare("INSERT INTO audit (incident_id, at, body) VALUES (?, ?, ?)");
  db.transaction(() => {
    for (let i = 0; i < 600; i++) insert.run(`inc-${i}`, String(i), "z".repeat(300));
  })();
  db.close();
  openDetectionDatabase(dataDir).close();
  return dataDir;
}

describe("prepareDataDir", () => {
  it("creates a missing directory and holds it until released", () => {
    const dataDir = join(newDir(), "nested", "data");

    const lock = prepare(dataDir);
    const second = () => prepare(dataDir);

    expect(existsSync(dataDir)).toBe(true);
    expect(second).toThrow(DataDirInUseError);
    lock.release();
    prepare(dataDir).release();
  });

  it("names a directory that cannot be created because a part of its path is a file", () => {
    const parent = join(newDir(), "a-file");
    writeFileSync(parent, "not a directory");
    const dataDir = join(parent, "data");

    const preparing = () => prepare(dataDir);

    expect(preparing).toThrow(DataDirUnusableError);
    expect(preparing).toThrow(`${dataDir} cannot be created as a data directory: `);
    expect(preparing).toThrow("(ENOTDIR)");
  });

  it("names a data directory path that is a regular file", () => {
    const dataDir = join(newDir(), "data");
    writeFileSync(dataDir, "not a directory");

    const preparing = () => prepare(dataDir);

    expect(preparing).toThrow(DataDirUnusableError);
    expect(preparing).toThrow(dataDir);
  });

  it("names a damaged lock file instead of guessing it away", () => {
    const dataDir = newDir();
    writeFileSync(join(dataDir, "riposte.lock"), "not a database, not a lock: some text long enough to fill a header");

    const preparing = () => prepare(dataDir);

    expect(preparing).toThrow(DataDirUnusableError);
    expect(preparing).toThrow(`${join(dataDir, "riposte.lock")} is damaged (file is not a database)`);
  });

  it("moves only the damaged database aside when asked, and says so in the log", () => {
    const dataDir = populated();
    garbleMiddlePage(join(dataDir, "riposte.db"));
    const { lines, logger } = capturingLogger();

    prepare(dataDir, { resetCorruptDatabases: true, logger }).release();

    const files = readdirSync(dataDir);
    const moved = files.filter((name) => name.startsWith("riposte.db.corrupt-"));
    expect(moved).toHaveLength(1);
    expect(files).not.toContain("riposte.db");
    expect(files).toContain("detection.db");
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "warn",
        msg: "moved a damaged database aside; starting with an empty one",
        file: join(dataDir, "riposte.db"),
        movedTo: join(dataDir, moved[0]!),
      }),
    );
  });

  it("leaves intact databases where they are, even when asked to reset damaged ones", () => {
    const dataDir = populated();

    prepare(dataDir, { resetCorruptDatabases: true }).release();

    expect(readdirSync(dataDir).filter((name) => name.includes(".corrupt-"))).toEqual([]);
  });
});
