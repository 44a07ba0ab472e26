import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listInputFiles as listAsync, listInputFilesSync } from "./files.js";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "riposte-files-"));
}

/** A named pipe (`mkfifo`: Node cannot make one). */
function fifo(path: string): string {
  execFileSync("mkfifo", [path]);
  return path;
}

// The same listing, performed without blocking or at once.
describe.each([
  ["listInputFiles", listAsync],
  ["listInputFilesSync", async (paths: string[]) => listInputFilesSync(paths)],
])("%s", (_name, listInputFiles) => {
  it("follows a symbolic link to a log file inside a directory", async () => {
    // Arrange
    const root = tempDir();
    const elsewhere = tempDir();
    writeFileSync(join(elsewhere, "trail.json"), "{}");
    mkdirSync(join(root, "logs"));
    symlinkSync(join(elsewhere, "trail.json"), join(root, "logs", "linked.json"));

    // Act
    const { files, errors } = await listInputFiles([root]);

    // Assert
    expect(files.map((file) => file.path)).toEqual([join(root, "logs", "linked.json")]);
    expect(errors).toEqual([]);
  });

  it("follows a symbolic link to a directory", async () => {
    const root = tempDir();
    const elsewhere = tempDir();
    writeFileSync(join(elsewhere, "a.json"), "{}");
    symlinkSync(elsewhere, join(root, "archive"));

    const { files, errors } = await listInputFiles([root]);

    expect(files.map((file) => file.path)).toEqual([join(root, "archive", "a.json")]);
    expect(errors).toEqual([]);
  });

  it("reports a link back to an enclosing directory once and stops there", async () => {
    const root = tempDir();
    mkdirSync(join(root, "a", "b"), { recursive: true });
    writeFileSync(join(root, "a", "b", "c.json"), "{}");
    symlinkSync(join(root, "a"), join(root, "a", "b", "up"));

    const { files, errors } = await listInputFiles([root]);

    expect(files.map((file) => file.path)).toEqual([join(root, "a", "b", "c.json")]);
    expect(errors).toEqual([
      {
        file: join(root, "a", "b", "up"),
        position: 0,
        reason: "symbolic link loop: leads back to an enclosing directory",
      },
    ]);
  });

  it("reports links that loop on themselves and links whose target is missing", async () => {
    const root = tempDir();
    symlinkSync(join(root, "self.json"), join(root, "self.json"));
    symlinkSync(join(root, "nowhere.json"), join(root, "dangling.json"));

    const { files, errors } = await listInputFiles([root]);

    expect(files).toEqual([]);
    expect(errors).toEqual([
      { file: join(root, "dangling.json"), position: 0, reason: "dangling symbolic link (its target does not exist)" },
      { file: join(root, "self.json"), position: 0, reason: "symbolic link loop" },
    ]);
  });

  it("takes a file or directory reached twice (through links, or named twice) once", async () => {
    const root = tempDir();
    const elsewhere = tempDir();
    writeFileSync(join(root, "a.json"), "{}");
    symlinkSync(join(root, "a.json"), join(root, "b.json"));
    writeFileSync(join(elsewhere, "c.json"), "{}");
    symlinkSync(elsewhere, join(root, "one"));
    symlinkSync(elsewhere, join(root, "two"));

    const { files, errors } = await listInputFiles([root, join(root, "a.json")]);

    expect(files.map((file) => file.path)).toEqual([join(root, "a.json"), join(root, "one", "c.json")]);
    expect(errors).toEqual([]);
  });

  it("reports a FIFO named on the command line or found in a directory, without opening it", async () => {
    const root = tempDir();
    const named = fifo(join(root, "named"));
    mkdirSync(join(root, "dir"));
    fifo(join(root, "dir", "pipe.json"));
    fifo(join(root, "dir", "not-a-log-name"));

    const { files, errors } = await listInputFiles([named, join(root, "dir")]);

    expect(files).toEqual([]);
    expect(errors).toEqual([
      { file: named, position: 0, reason: "a FIFO (named pipe): not a regular file, skipped" },
      { file: join(root, "dir", "pipe.json"), position: 0, reason: "a FIFO (named pipe): not a regular file, skipped" },
    ]);
  });

  it("reports a character device named on the command line", async () => {
    const { files, errors } = await listInputFiles(["/dev/null"]);

    expect(files).toEqual([]);
    expect(errors).toEqual([
      { file: "/dev/null", position: 0, reason: "a character device: not a regular file, skipped" },
    ]);
  });
});
