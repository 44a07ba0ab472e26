import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { consoleLogin, IP } from "../fixtures/events/cloudtrail.js";

/**
 * `riposte scan` as a user runs it (`node bin/riposte.mjs scan …`) over hostile file trees:
 * links, loops, pipes and broken archives. Each run is killed after a minute, so a scan that
 * hangs fails this suite instead of stalling it.
 */

const BIN = join(import.meta.dirname, "..", "..", "bin", "riposte.mjs");
const KILL_AFTER_MS = 60_000;
const TEST_TIMEOUT_MS = KILL_AFTER_MS + 30_000;

interface Run {
  code: number | null;
  /** Set when the run had to be killed (it hung). */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function scan(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, "scan", "--format", "jsonl", ...args],
      { timeout: KILL_AFTER_MS, killSignal: "SIGKILL", env: { ...process.env, NO_COLOR: "1" } },
      (error, stdout, stderr) => {
        const failed = error as (Error & { code?: number; signal?: NodeJS.Signals }) | null;
        resolve({ code: failed ? (failed.code ?? null) : 0, signal: failed?.signal ?? null, stdout, stderr });
      },
    );
  });
}

const detections = (run: Run): string[] =>
  run.stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line).detection);

const stderrLines = (run: Run): string[] => run.stderr.trim().split("\n").filter(Boolean);

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "riposte-adversarial-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A CloudTrail log file with one failed console sign-in (one `console-login-failure` finding). */
function trailFile(path: string): string {
  const record = consoleLogin(false, { time: "2024-05-01T10:02:00Z", ip: IP.germany });
  writeFileSync(path, JSON.stringify({ Records: [record] }));
  return path;
}

function fifo(path: string): string {
  execFileSync("mkfifo", [path]);
  return path;
}

describe("riposte scan over hostile file trees", () => {
  it(
    "finds the events of a log file reached through a symbolic link inside a directory",
    async () => {
      // Arrange
      const logs = tempDir();
      const target = trailFile(join(tempDir(), "trail.json"));
      symlinkSync(target, join(logs, "linked.json"));

      // Act
      const run = await scan(logs);

      // Assert
      expect(run.signal).toBeNull();
      expect(detections(run)).toEqual(["console-login-failure"]);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "terminates on a symbolic link loop, reports it once, and still reads the rest",
    async () => {
      const root = tempDir();
      mkdirSync(join(root, "a", "b"), { recursive: true });
      trailFile(join(root, "a", "b", "trail.json"));
      symlinkSync(join(root, "a"), join(root, "a", "b", "up"));
      symlinkSync("self.json", join(root, "self.json"));

      const run = await scan(root);

      expect(run.signal).toBeNull();
      expect(detections(run)).toEqual(["console-login-failure"]);
      expect(stderrLines(run)).toEqual([
        `riposte scan: ${join(root, "a", "b", "up")}:0: symbolic link loop: leads back to an enclosing directory`,
        `riposte scan: ${join(root, "self.json")}:0: symbolic link loop`,
        "riposte scan: 0 unreadable records, 2 unreadable files",
      ]);
      expect(run.code).toBe(1);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "reports and skips a FIFO named on the command line and one found in a directory, without hanging",
    async () => {
      const root = tempDir();
      const named = fifo(join(root, "named.json"));
      const dir = join(root, "dir");
      mkdirSync(dir);
      fifo(join(dir, "pipe.json"));
      trailFile(join(dir, "trail.json"));

      const run = await scan(named, dir);

      expect(run.signal).toBeNull();
      expect(detections(run)).toEqual(["console-login-failure"]);
      expect(stderrLines(run)).toEqual([
        `riposte scan: ${named}:0: a FIFO (named pipe): not a regular file, skipped`,
        `riposte scan: ${join(dir, "pipe.json")}:0: a FIFO (named pipe): not a regular file, skipped`,
        "riposte scan: 0 unreadable records, 2 unreadable files",
      ]);
      expect(run.code).toBe(1);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "reports a 0-byte .json.gz as unreadable, naming it, and reads the other files",
    async () => {
      const root = tempDir();
      writeFileSync(join(root, "empty.json.gz"), "");
      trailFile(join(root, "trail.json"));

      const run = await scan(root);

      expect(run.signal).toBeNull();
      expect(detections(run)).toEqual(["console-login-failure"]);
      expect(stderrLines(run)).toEqual([
        `riposte scan: ${join(root, "empty.json.gz")}:0: gzip: empty file (0 bytes): truncated or not written`,
        "riposte scan: 0 unreadable records, 1 unreadable files",
      ]);
      expect(run.code).toBe(1);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "reports truncated .json.gz files (cut in the header, cut in the data) as unreadable gzip, naming them",
    async () => {
      const root = tempDir();
      const gzipped = gzipSync(JSON.stringify({ Records: [consoleLogin(false)] }));
      writeFileSync(join(root, "cut-header.json.gz"), gzipped.subarray(0, 1));
      writeFileSync(join(root, "cut-data.json.gz"), gzipped.subarray(0, gzipped.length - 10));
      trailFile(join(root, "trail.json"));

      const run = await scan(root);

      expect(run.signal).toBeNull();
      expect(detections(run)).toEqual(["console-login-failure"]);
      expect(stderrLines(run)).toEqual([
        `riposte scan: ${join(root, "cut-data.json.gz")}:0: gzip: unexpected end of file (after line 0)`,
        `riposte scan: ${join(root, "cut-header.json.gz")}:0: gzip: truncated (1 bytes)`,
        "riposte scan: 0 unreadable records, 2 unreadable files",
      ]);
      expect(run.code).toBe(1);
    },
    TEST_TIMEOUT_MS,
  );
});
