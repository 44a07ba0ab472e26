import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { DataDirInUseError, LOCK_FILE, lockDataDir, OWNER_FILE } from "./data-dir-lock.js";

const fixture = fileURLToPath(new URL("./data-dir-lock.fixture.ts", import.meta.url));
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function newDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "riposte-lock-"));
  dirs.push(dir);
  return dir;
}

/** Another process trying the lock; `gated` ones wait for "go" on stdin (after printing "ready"). */
function otherProcess(dataDir: string, gated = false) {
  const args = ["--import", "tsx", fixture, dataDir, ...(gated ? ["--on-go"] : [])];
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "inherit"] });
  children.push(child);
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  let text = "";
  child.stdout!.on("data", (chunk) => {
    text += chunk;
    const parts = text.split("\n");
    text = parts.pop()!;
    lines.push(...parts);
    for (const wake of waiters.splice(0)) wake();
  });
  child.once("exit", () => {
    for (const wake of waiters.splice(0)) wake();
  });
  /** The next line after the ones already seen (`index`), or a rejection if the process exits first. */
  const line = (index: number) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (lines[index] !== undefined) resolve(lines[index]!);
        else if (child.exitCode !== null) reject(new Error(`fixture exited ${child.exitCode}: ${lines.join(" ")}`));
        else waiters.push(check);
      };
      check();
    });
  return { child, line };
}

/** Another process trying the lock at once; resolves with its line ("locked <pid>" or "in-use <pid>"). */
async function tryInAnotherProcess(dataDir: string): Promise<{ child: ChildProcess; line: string }> {
  const other = otherProcess(dataDir);
  return { child: other.child, line: await other.line(0) };
}

/** A lock file as versions before riposte.owner left it: the owner row committed inside. */
function legacyLockFile(dataDir: string, owner: { pid: number; releasedAt?: string }): Database.Database {
  const db = new Database(join(dataDir, LOCK_FILE));
  db.exec(`CREATE TABLE owner (
    id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, host TEXT NOT NULL,
    started_at TEXT NOT NULL, version TEXT NOT NULL, released_at TEXT) STRICT`);
  db.prepare("INSERT INTO owner VALUES (1, ?, ?, ?, ?, ?)").run(
    owner.pid,
    hostname(),
    "2026-12-01T00:00:00.000Z",
    "0.9.0",
    owner.releasedAt ?? null,
  );
  return db;
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once("exit", () => resolve()));

describe("lockDataDir", () => {
  it("lets one holder in at a time and names it to the next", () => {
    const dir = newDir();
    const first = lockDataDir(dir, { version: "1.0.0" });

    let error: unknown;
    try {
      lockDataDir(dir, { version: "1.0.0", pid: 999_999_999 }); // a second server in this process
    } catch (caught) {
      error = caught;
    }
    first.release();

    expect(error).toBeInstanceOf(DataDirInUseError);
    expect((error as DataDirInUseError).owner).toMatchObject({ pid: process.pid, version: "1.0.0" });
    expect((error as Error).message).toContain(dir);
    expect((error as Error).message).toContain(`pid ${process.pid} on `);
  });

  it("is free again after a clean release, and says the last owner stopped cleanly", () => {
    const dir = newDir();
    lockDataDir(dir, { version: "1.0.0", pid: 1111 }).release();

    const second = lockDataDir(dir, { version: "1.0.0", pid: 2222 });
    second.release();
    second.release();

    expect(second.uncleanPrevious).toBeUndefined();
  });

  it("keeps its files owner-only", () => {
    const dir = newDir();

    const lock = lockDataDir(dir, { version: "1.0.0" });
    const modes = [LOCK_FILE, OWNER_FILE].map((name) => statSync(join(dir, name)).mode & 0o777);
    lock.release();

    expect(modes).toEqual([0o600, 0o600]);
  });

  it("reads an older version's lock file: its killed owner is reported, its table left alone", () => {
    const dir = newDir();
    legacyLockFile(dir, { pid: 999_999_998 }).close();

    const first = lockDataDir(dir, { version: "1.0.0", pid: 1111 });
    first.release();
    const second = lockDataDir(dir, { version: "1.0.0", pid: 2222 });
    second.release();

    expect(first.uncleanPrevious).toMatchObject({ pid: 999_999_998, version: "0.9.0" });
    expect(second.uncleanPrevious).toBeUndefined();
  });

  it("names an older version's server that holds the lock", () => {
    const dir = newDir();
    const olderServer = legacyLockFile(dir, { pid: process.pid });
    olderServer.exec("BEGIN IMMEDIATE");

    let error: unknown;
    try {
      lockDataDir(dir, { version: "1.0.0", pid: 999_999_999 });
    } catch (caught) {
      error = caught;
    }
    olderServer.close();

    expect(error).toBeInstanceOf(DataDirInUseError);
    expect((error as DataDirInUseError).owner).toMatchObject({ pid: process.pid, version: "0.9.0" });
  });

  it("is refused while another process holds it", async () => {
    const dir = newDir();
    const { child, line } = await tryInAnotherProcess(dir);

    const taking = () => lockDataDir(dir, { version: "1.0.0" });

    expect(line).toBe(`locked ${child.pid}`);
    expect(taking).toThrow(DataDirInUseError);
    expect(taking).toThrow(`pid ${child.pid} on `);
  });

  it("is taken over from a killed process, which is reported as not stopped cleanly", async () => {
    const dir = newDir();
    const { child } = await tryInAnotherProcess(dir);
    child.kill("SIGKILL");
    await exited(child);

    const lock = lockDataDir(dir, { version: "1.0.0" });
    lock.release();

    expect(lock.uncleanPrevious).toMatchObject({ pid: child.pid, version: "fixture" });
    expect(lock.uncleanPrevious?.releasedAt).toBeUndefined();
  });

  it("goes to exactly one of several processes racing for a lock a killed process left", async () => {
    const dir = newDir();
    const { child: killed } = await tryInAnotherProcess(dir);
    killed.kill("SIGKILL");
    await exited(killed);

    const racers = Array.from({ length: 4 }, () => otherProcess(dir, true));
    for (const racer of racers) expect(await racer.line(0)).toBe("ready");

    for (const racer of racers) racer.child.stdin!.write("go\n");
    const outcomes = await Promise.all(
      racers.map(async (racer) => ({ child: racer.child, line: await racer.line(1) })),
    );

    const winners = outcomes.filter((racer) => racer.line.startsWith("locked "));
    expect(winners).toHaveLength(1);
    const winner = winners[0]!.child.pid;
    for (const racer of outcomes) {
      if (racer.child.pid !== winner) expect(racer.line).toBe(`in-use ${winner}`);
    }
  });
});
