import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeIncident } from "../contract/fixtures.js";
import type { StoreChange } from "../ports.js";
import { openSqlite, type SqliteDatabase, syncPointsOf } from "./database.js";
import { SqliteStore } from "./store.js";

const dirs: string[] = [];
const dbs: SqliteDatabase[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) if (db.open) db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "riposte-sync-points-"));
  dirs.push(dir);
  return dir;
}

function openFile(): SqliteDatabase {
  const db = openSqlite(join(tempDir(), "test.db"), ["CREATE TABLE t (x TEXT) STRICT"]);
  dbs.push(db);
  return db;
}

const synchronous = (db: SqliteDatabase) => db.pragma("synchronous", { simple: true });
const FULL = 2;
const NORMAL = 1;

describe("sync points", () => {
  it("commits with synchronous=NORMAL and commits durably with FULL, then NORMAL again", () => {
    // Arrange
    const db = openFile();
    const points = syncPointsOf(db);

    // Act
    const during = points.commitDurably(() => {
      db.prepare("INSERT INTO t VALUES ('a')").run();
      return synchronous(db);
    });

    // Assert
    expect(during).toBe(FULL);
    expect(synchronous(db)).toBe(NORMAL);
    expect(db.prepare("SELECT count(*) AS n FROM t").get()).toEqual({ n: 1 });
  });

  it("writes the sync mark with a durable commit that changes nothing, so it still fsyncs", () => {
    // Arrange
    const db = openFile();
    const marks = () => (db.prepare("SELECT n FROM riposte_sync_mark").get() as { n: number } | undefined)?.n ?? 0;
    const before = marks();

    // Act
    syncPointsOf(db).commitDurably(() => undefined);
    syncPointsOf(db).commitDurably(() => undefined);

    // Assert: each durable commit wrote a page, which SQLite must log and fsync.
    expect(marks()).toBe(before + 2);
  });

  it("holds a sync point until a transaction spanning awaits has ended", async () => {
    // Arrange: the detection loop's way, a transaction open across turns.
    const db = openFile();
    const points = syncPointsOf(db);
    db.exec("BEGIN IMMEDIATE");
    db.prepare("INSERT INTO t VALUES ('b')").run();
    let durable = false;
    const waiting = points.durable().then(() => (durable = true));

    // Act: several turns pass with the transaction open, then it commits.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const beforeCommit = durable;
    db.exec("COMMIT");
    await waiting;

    // Assert
    expect(beforeCommit).toBe(false);
    expect(durable).toBe(true);
    expect(() => {
      db.exec("BEGIN");
      try {
        points.commitDurably(() => undefined);
      } finally {
        db.exec("ROLLBACK");
      }
    }).toThrow(/inside an open transaction/);
  });

  it("emits a store change after the sync point that follows its write, in write order", async () => {
    // Arrange
    const store = new SqliteStore({ dataDir: tempDir() });
    const seen: StoreChange["type"][] = [];
    store.subscribe((change) => seen.push(change.type));
    const incident = makeIncident();

    // Act: the writes return first; the changes follow at the end of the turn.
    await store.createIncident(incident);
    await store.transition(incident.id, "TRIAGED", { at: new Date().toISOString(), by: "score" });
    const beforeSync = [...seen];
    await store.durable();
    store.close();

    // Assert
    expect(beforeSync).toEqual([]);
    expect(seen).toEqual(["incident.created", "incident.changed"]);
  });

  it("answers an approval decision only once it is durable, with the changes before it emitted", async () => {
    // Arrange
    const store = new SqliteStore({ dataDir: tempDir() });
    const seen: string[] = [];
    store.subscribe((change) => seen.push(change.type));
    const incident = makeIncident();
    await store.putApproval({
      id: "approval-1",
      incidentId: incident.id,
      taskToken: "token",
      createdAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
      status: "pending",
    });

    // Act: an incident write, then the decision in the same turn.
    const created = store.createIncident(incident);
    const decided = await store.decideApproval("approval-1", "approved", {
      decision: "approve",
      approver: "alice",
      at: new Date().toISOString(),
    });
    await created;
    store.close();

    // Assert: by the time the decision is answered, the sync point has passed (the change is out).
    expect(decided.applied).toBe(true);
    expect(seen).toEqual(["incident.created"]);
  });
});

describe("sync points on a closed database", () => {
  it("refuse to promise durability instead of leaving the caller waiting", async () => {
    // Arrange
    const db = openFile();
    const points = syncPointsOf(db);
    db.close();

    // Act / Assert
    await expect(points.durable()).rejects.toThrow(/closed/);
  });
});
