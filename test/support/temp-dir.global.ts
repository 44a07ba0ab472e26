import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Vitest globalSetup for the node tests: every temporary file and directory the run makes — in
 * the test workers and in the processes they start (`riposte serve`, moto, Chromium), which all
 * inherit the environment — goes under one directory of its own, removed when the run ends. A
 * test that forgets to clean up, or is stopped before it can, leaves nothing in the system's
 * temporary directory (runs used to leave thousands of directories there).
 */
export default function tempDir(): () => void {
  const previous = process.env.TMPDIR;
  const dir = mkdtempSync(join(tmpdir(), "riposte-tests-"));
  // Like the system temporary directory: processes a test runs as another user (the data
  // directory permission cases) must reach what they are given under it.
  chmodSync(dir, 0o1777);
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(dir, { recursive: true, force: true });
  };
}
