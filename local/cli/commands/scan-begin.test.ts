import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import type { CliIo } from "../command.js";
import { beginScan } from "./scan-begin.js";

const dir = mkdtempSync(join(tmpdir(), "riposte-scan-begin-"));
writeFileSync(join(dir, "a.jsonl"), "{}\n");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const io: CliIo = { stdout: new PassThrough(), stderr: new PassThrough(), env: {}, cwd: dir };

describe("beginScan", () => {
  it("lists the paths as the scan names them (from the working directory) and starts the threads asked for", async () => {
    const start = beginScan(["--format", "jsonl", "--readers", "1", "."], io);

    expect(start?.paths).toEqual([dir]);
    expect(start?.listing.files).toEqual([{ path: join(dir, "a.jsonl"), size: 3 }]);
    expect(start?.threads?.workers).toHaveLength(1);
    await start?.cancel();
  });

  it("starts no thread for a small input by default", () => {
    expect(beginScan([dir], io)?.threads).toBeUndefined();
  });

  it.each([[[]], [["--no-such-option", dir]], [["--readers", "two", dir]], [["--format"]]])(
    "begins nothing for arguments the scan refuses (%j): the scan reports them",
    (args) => {
      expect(beginScan(args, io)).toBeUndefined();
    },
  );
});
