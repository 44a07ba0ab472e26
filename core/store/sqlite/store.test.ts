import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { describeExecutionStoreContract } from "../contract/execution-store.contract.js";
import { makeIncident } from "../contract/fixtures.js";
import { describeRiposteStoreContract } from "../contract/riposte-store.contract.js";
import { MIGRATIONS } from "./database.js";
import { SqliteStore } from "./store.js";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "riposte-sqlite-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describeRiposteStoreContract("sqlite store (file)", async () => {
  const dataDir = tempDir();
  const handles = [new SqliteStore({ dataDir })];
  return {
    store: handles[0]!,
    peer: () => {
      const peer = new SqliteStore({ dataDir });
      handles.push(peer);
      return peer;
    },
    close: async () => {
      for (const handle of handles) handle.close();
    },
    delivered: () => handles[0]!.durable(),
  };
});

describeExecutionStoreContract("sqlite execution store (file)", async () => {
  const dataDir = tempDir();
  const handles = [new SqliteStore({ dataDir })];
  handles[0]!.close();
  const first = new SqliteStore({ dataDir });
  handles.push(first);
  return {
    store: first,
    reopen: async () => {
      first.close();
      const reopened = new SqliteStore({ dataDir });
      handles.push(reopened);
      return reopened;
    },
    close: async () => {
      for (const handle of handles) handle.close();
    },
  };
});

describe("sqlite store file", () => {
  it("creates the database owner-only, in WAL mode, inside a new data directory", () => {
    const dataDir = join(tempDir(), "nested", "data");

    const store = new SqliteStore({ dataDir });
    const journal = store.db.pragma("journal_mode", { simple: true });
    const mode = statSync(store.file).mode & 0o777;
    store.close();

    expect(journal).toBe("wal");
    expect(mode).toBe(0o600);
  });

  it("refuses a database written by a newer schema, naming the file", () => {
    const file = join(tempDir(), "riposte.db");
    const newer = new Database(file);
    newer.pragma("user_version = 999");
    newer.close();

    expect(() => new SqliteStore({ file })).toThrow(/newer Riposte.*schema 999/);
  });

  it("keeps the execution history written by schema 3 when it upgrades, in event order", async () => {
    // Arrange: a file at schema 3, whose history table had no rowid, with events stored out of order.
    const file = join(tempDir(), "riposte.db");
    const older = new Database(file);
    older.pragma("journal_mode = WAL");
    for (const migration of MIGRATIONS.slice(0, 3)) older.exec(migration);
    older.pragma("user_version = 3");
    const insert = older.prepare("INSERT INTO execution_history (execution_arn, event_id, body) VALUES (?, ?, ?)");
    const event = (id: number) =>
      JSON.stringify({ id, previousEventId: id - 1, timestamp: "t", type: "PassStateEntered" });
    for (const [arn, id] of [
      ["b", 2],
      ["a", 2],
      ["a", 1],
      ["b", 1],
    ] as const)
      insert.run(arn, id, event(id));
    older.close();

    // Act
    const store = new SqliteStore({ file });
    const before = (await store.getHistory("a")).map((entry) => entry.id);
    await store.appendHistory("a", [{ id: 2, previousEventId: 1, timestamp: "t", type: "PassStateExited" }]);
    const after = await store.getHistory("a");
    const other = (await store.getHistory("b")).map((entry) => entry.id);
    store.close();

    // Assert: the same events; writing an event id again replaces it, as before.
    expect(before).toEqual([1, 2]);
    expect(after.map((entry) => [entry.id, entry.type])).toEqual([
      [1, "PassStateEntered"],
      [2, "PassStateExited"],
    ]);
    expect(other).toEqual([1, 2]);
  });

  it("keeps incidents across a restart", async () => {
    const dataDir = tempDir();
    const incident = makeIncident();
    const first = new SqliteStore({ dataDir });
    await first.createIncident(incident);
    await first.transition(incident.id, "TRIAGED", { at: "2026-03-01T00:00:00.000Z", by: "score" });
    first.close();

    const second = new SqliteStore({ dataDir });
    const stored = await second.getIncident(incident.id);
    second.close();

    expect(stored).toMatchObject({ id: incident.id, status: "TRIAGED", version: 2 });
  });
});

describe("sqlite store across processes", () => {
  it("never regresses a status when separate processes race on the same file", async () => {
    const dataDir = tempDir();
    const store = new SqliteStore({ dataDir });
    const incidents = Array.from({ length: 20 }, () => makeIncident());
    for (const incident of incidents) await store.createIncident(incident);
    const writer = fileURLToPath(new URL("./race-writer.fixture.ts", import.meta.url));
    const run = (order: string) =>
      new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", writer, store.file, order], { stdio: "inherit" });
        child.on("error", reject);
        child.on("exit", (code) => resolve(code ?? -1));
      });

    const codes = await Promise.all([run("forward"), run("backward"), run("forward")]);
    const stored = await Promise.all(incidents.map((incident) => store.getIncident(incident.id)));
    store.close();

    expect(codes).toEqual([0, 0, 0]);
    for (const incident of stored) {
      expect(incident?.status).toBe("MITIGATED");
      const chain = incident?.transitions ?? [];
      expect(incident?.version).toBe(chain.length);
      for (let index = 1; index < chain.length; index++) expect(chain[index]?.from).toBe(chain[index - 1]?.to);
    }
  });
});

describe("sqlite store: a write and its audit entry in one transaction", () => {
  it("keeps neither when the audit entry cannot be written", async () => {
    // Arrange: the audit table refuses writes, as a full disk would midway.
    const store = new SqliteStore({ dataDir: tempDir() });
    const incident = makeIncident();
    await store.createIncident(incident);
    store.db.exec("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'refused'); END");

    // Act
    const moving = store.transition(
      incident.id,
      "TRIAGED",
      { at: "2026-03-01T00:00:00.000Z", by: "score" },
      {},
      { at: "2026-03-01T00:00:00.000Z", actor: "score", action: "incident.triaged" },
    );

    // Assert: the move written first in the same call was rolled back with it.
    await expect(moving).rejects.toThrow("refused");
    expect(await store.getIncident(incident.id)).toMatchObject({ status: "NEW", version: 1 });
    store.close();
  });
});

describe("sqlite execution store: a step's checkpoint and history in one transaction", () => {
  const executionArn = "arn:aws:states:local:000000000000:execution:network:inc-1";
  const execution = {
    executionArn,
    name: "inc-1",
    stateMachineArn: "arn:aws:states:local:000000000000:stateMachine:network",
    status: "RUNNING" as const,
    startDate: "2026-01-01T00:00:00.000Z",
    input: {},
    incidentId: "inc-1",
  };
  const events = [1, 2].map((id) => ({
    id,
    previousEventId: id - 1,
    timestamp: "2026-01-01T00:00:01.000Z",
    type: "PassStateEntered",
  }));

  it("stores both with one call", async () => {
    // Arrange
    const store = new SqliteStore({ dataDir: tempDir() });

    // Act
    await store.saveProgress(execution, events);

    // Assert
    expect(await store.getExecution(executionArn)).toMatchObject({ status: "RUNNING" });
    expect((await store.getHistory(executionArn)).map((event) => event.id)).toEqual([1, 2]);
    store.close();
  });

  it("keeps neither when the history cannot be written (one commit, not two)", async () => {
    // Arrange: the history table refuses writes, as a full disk would midway.
    const store = new SqliteStore({ dataDir: tempDir() });
    store.db.exec(
      "CREATE TRIGGER refuse_history BEFORE INSERT ON execution_history BEGIN SELECT RAISE(ABORT, 'refused'); END",
    );

    // Act
    const saving = store.saveProgress(execution, events);

    // Assert: the checkpoint written first in the same call was rolled back with it.
    await expect(saving).rejects.toThrow("refused");
    expect(await store.getExecution(executionArn)).toBeUndefined();
    store.close();
  });
});
