import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { garbleHeader, garbleMiddlePage } from "../../core/store/sqlite/corrupt.fixture.js";
import { CorruptDatabaseError } from "../../core/store/sqlite/integrity.js";
import { DETECTION_DATABASE_FILE, openDetectionDatabase } from "./detection-db.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A data directory whose detection database holds a few hundred queued events, closed. */
function populatedDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "riposte-detection-db-"));
  dirs.push(dir);
  const db = openDetectionDatabase(dir);
  const insert = db.prepare(
    "INSERT INTO inbox (event_key, epoch_ms, received_at, source, body) VALUES (?, ?, ?, 'test', ?)",
  );
  db.transaction(() => {
    for (let i = 0; i < 600; i++) insert.run(`event-${i}`, i, i, "y".repeat(300));
  })();
  db.close();
  return dir;
}

describe("openDetectionDatabase", () => {
  it("reopens an intact file with its queue", () => {
    const dir = populatedDataDir();

    const db = openDetectionDatabase(dir);
    const count = db.prepare("SELECT count(*) AS n FROM inbox").get() as { n: number };
    db.close();

    expect(count.n).toBe(600);
  });

  it.each([
    ["a garbage header", garbleHeader],
    ["a page damaged in the middle", garbleMiddlePage],
  ])("refuses %s, naming detection.db", (_, damage) => {
    const dir = populatedDataDir();
    const file = join(dir, DETECTION_DATABASE_FILE);
    damage(file);

    const opening = () => openDetectionDatabase(dir).close();

    expect(opening).toThrow(CorruptDatabaseError);
    expect(opening).toThrow(`${file} is damaged`);
  });
});
